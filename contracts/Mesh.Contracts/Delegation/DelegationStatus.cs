using System.Text.Json.Serialization;

namespace Mesh.Contracts.Delegation;

/// <summary>Status of a delegation execution or task.</summary>
public enum DelegationStatus
{
    /// <summary>Accepted, not started (job state <c>pending</c>).</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Running (job state <c>in_progress</c>).</summary>
    [JsonStringEnumMemberName("running")]
    Running,

    /// <summary>Finished with a result (job state <c>completed</c>).</summary>
    [JsonStringEnumMemberName("completed")]
    Completed,

    /// <summary>Finished without a result (job state <c>failed</c>).</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>Stopped on request (job state <c>interrupted</c>).</summary>
    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}
