using System.Text.Json.Serialization;

namespace Mesh.Contracts.Policy;

/// <summary>Who evaluated a policy decision.</summary>
public enum PolicySource
{
    /// <summary>The policy service evaluated the authorization model itself.</summary>
    [JsonStringEnumMemberName("embedded")]
    Embedded,

    /// <summary>An OpenFGA server answered.</summary>
    [JsonStringEnumMemberName("openfga")]
    OpenFga,
}
