namespace Mesh.Policy.Domain;

/// <summary>An authorization model in the OpenFGA DSL that cannot be read, with the 1-based position of the fault.</summary>
public sealed class DslSyntaxException(int line, int column, string reason)
    : Exception($"line {line}, column {column}: {reason}")
{
    /// <summary>1-based line of the fault.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column of the fault.</summary>
    public int Column { get; } = column;

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = reason;
}
