namespace Mesh.Infra.Messaging;

/// <summary>
/// <c>error-type</c> values the consumer host writes besides the schema error kinds (<c>InvalidJson</c>,
/// <c>MissingProperty</c>, ... from <see cref="Contracts.Schemas.SchemaErrorKind"/>), a handler's
/// <see cref="PermanentMessageException.ErrorType"/>, and the exception type name of a handler that ran out of attempts.
/// </summary>
public static class DeadLetterErrorTypes
{
    /// <summary>A required header (see <see cref="MessageHeaders.Required"/>) is absent or empty.</summary>
    public const string MissingHeader = "MissingHeader";

    /// <summary>The <c>content-type</c> header is not <c>application/json</c>.</summary>
    public const string UnsupportedContentType = "UnsupportedContentType";

    /// <summary>The <c>schema</c> header names another schema than the one the topic carries.</summary>
    public const string SchemaMismatch = "SchemaMismatch";

    /// <summary>The body passed its schema but does not read as the message record.</summary>
    public const string DeserializationFailed = "DeserializationFailed";
}
