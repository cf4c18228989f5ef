using System.Net;

namespace Mesh.Policy.OpenFga;

/// <summary>How a call to an OpenFGA server failed.</summary>
public enum OpenFgaFailure
{
    /// <summary>The server refused the request (4xx other than a known validation code).</summary>
    Rejected,

    /// <summary>The server failed (5xx) or answered with something that is not OpenFGA's API.</summary>
    ServerError,

    /// <summary>The server could not be reached.</summary>
    Unreachable,

    /// <summary>No answer within the client's timeout.</summary>
    Timeout,
}

/// <summary>
/// A call to an OpenFGA server that did not produce an answer. Validation errors with a known code are
/// <see cref="Domain.AuthorizationException"/>s instead, exactly as the embedded evaluator reports them.
/// </summary>
public sealed class OpenFgaException(OpenFgaFailure failure, HttpStatusCode? status, string code, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public OpenFgaFailure Failure { get; } = failure;

    public HttpStatusCode? Status { get; } = status;

    /// <summary>OpenFGA's error code name (<c>store_id_not_found</c>, <c>internal_error</c>, …), or empty.</summary>
    public string Code { get; } = code;
}
