namespace Mesh.Contracts.Schemas;

/// <summary>One reason a message failed its schema.</summary>
/// <param name="Kind">What kind of violation.</param>
/// <param name="Path">Where, as a JSON path from the message root, e.g. <c>$.tool.status</c>; <c>$</c> for the whole message.</param>
/// <param name="Message">The violation in words; names properties, never quotes values.</param>
public sealed record SchemaValidationError(SchemaErrorKind Kind, string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind} at {Path}: {Message}";
}
