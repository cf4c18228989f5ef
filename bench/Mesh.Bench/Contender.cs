namespace Mesh.Bench;

/// <summary>What is measured side by side.</summary>
internal enum Contender
{
    /// <summary>The plain Confluent client: serialize, produce; consume, deserialize, store the offset.</summary>
    Raw,

    /// <summary>The plain client doing the schema validation the contracts require, on both sides.</summary>
    RawValidated,

    /// <summary>The messaging library: publisher and consumer host.</summary>
    Library,
}

internal static class Contenders
{
    public static readonly Contender[] All = [Contender.Raw, Contender.RawValidated, Contender.Library];

    public static string Label(this Contender contender) => contender switch
    {
        Contender.Raw => "raw client",
        Contender.RawValidated => "raw + validation",
        _ => "mesh library",
    };
}
