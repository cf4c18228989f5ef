namespace Mesh.Contracts.Schemas;

/// <summary>The outcome of validating one message against its schema.</summary>
/// <param name="SchemaId">The schema the message was checked against.</param>
/// <param name="Errors">Every violation found; empty when the message is valid.</param>
public sealed record SchemaValidationResult(string SchemaId, IReadOnlyList<SchemaValidationError> Errors)
{
    /// <summary>Whether the message conforms to the schema.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>The violations on one line, e.g. for a dead letter's <c>error-message</c> header.</summary>
    /// <returns><c>valid</c>, or the errors separated by <c>; </c>.</returns>
    public override string ToString() =>
        IsValid ? $"{SchemaId}: valid" : $"{SchemaId}: {string.Join("; ", Errors)}";
}
