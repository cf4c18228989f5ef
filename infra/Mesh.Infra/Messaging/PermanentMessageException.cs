namespace Mesh.Infra.Messaging;

/// <summary>
/// Thrown by a handler when retrying cannot help (the message asks for something impossible, refers to
/// something that will never exist, ...): the consumer dead-letters the message at once instead of retrying.
/// Every other exception is treated as transient and retried with backoff.
/// </summary>
public sealed class PermanentMessageException : Exception
{
    /// <summary>The default <see cref="ErrorType"/>.</summary>
    public const string DefaultErrorType = "PermanentFailure";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why, in words, without message content or secrets; sent in the <c>error-message</c> header.</param>
    /// <param name="errorType">A stable name for the failure, sent in the <c>error-type</c> header.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public PermanentMessageException(string message, string errorType = DefaultErrorType, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(errorType);
        ErrorType = errorType;
    }

    /// <summary>A stable name for the failure, sent in the dead letter's <c>error-type</c> header.</summary>
    public string ErrorType { get; }
}
