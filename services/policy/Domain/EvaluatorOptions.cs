namespace Mesh.Policy.Domain;

/// <summary>Limits that keep one evaluation bounded; the defaults are OpenFGA's.</summary>
public sealed record EvaluatorOptions
{
    /// <summary>The defaults: depth 25, at most 1000 results per list.</summary>
    public static EvaluatorOptions Default { get; } = new();

    /// <summary>How many nested userset or tuple-to-userset steps one resolution may take before it fails with code 2002.</summary>
    public int MaxResolutionDepth { get; init; } = 25;

    /// <summary>The most objects or users a ListObjects or ListUsers answer carries.</summary>
    public int MaxListResults { get; init; } = 1000;
}
