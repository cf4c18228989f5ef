using System.Text.Json;
using Mesh.Policy.Domain;
using Microsoft.AspNetCore.Http;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// RFC 9457 problem details of the /v1 routes, each with a stable <c>type</c>:
/// <c>urn:mesh:problem:policy:&lt;kind&gt;</c> or <c>urn:mesh:problem:budget:&lt;kind&gt;</c>.
/// </summary>
public static class PolicyProblems
{
    public const string PolicyPrefix = "urn:mesh:problem:policy:";
    public const string BudgetPrefix = "urn:mesh:problem:budget:";

    public static IResult Policy(int status, string kind, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: PolicyPrefix + kind, extensions: extensions);

    public static IResult Budget(int status, string kind, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(detail: detail, statusCode: status, title: title, type: BudgetPrefix + kind, extensions: extensions);

    public static IResult BadRequest(string kind, string detail) =>
        Policy(StatusCodes.Status400BadRequest, kind, "The request is invalid", detail);

    public static IResult ForbiddenTenant(string tenantId) =>
        Policy(StatusCodes.Status403Forbidden, "tenant-forbidden", "Another tenant", $"This key may not act for tenant '{tenantId}'.");

    public static IResult Unavailable(string detail) =>
        Policy(StatusCodes.Status503ServiceUnavailable, "unavailable", "Policy state is unavailable", detail);

    /// <summary>A refusal of the evaluator or validator as a 400 with the kind its code stands for.</summary>
    public static IResult FromAuthorization(AuthorizationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var kind = exception.Code switch
        {
            AuthorizationErrorCode.TypeNotFound => "unknown-type",
            AuthorizationErrorCode.RelationNotFound => "unknown-relation",
            AuthorizationErrorCode.InvalidTuple => "invalid-tuple",
            AuthorizationErrorCode.ExceededEntityLimit => "too-many-items",
            AuthorizationErrorCode.DuplicateTupleInWrite => "duplicate-tuple",
            AuthorizationErrorCode.WriteFailedDueToInvalidInput => "write-conflict",
            AuthorizationErrorCode.InvalidAuthorizationModel => "invalid-model",
            AuthorizationErrorCode.LatestAuthorizationModelNotFound or AuthorizationErrorCode.AuthorizationModelNotFound => "no-model",
            _ => "invalid-request",
        };
        return Policy(StatusCodes.Status400BadRequest, kind, "The request is invalid", exception.Message,
            new Dictionary<string, object?> { ["code"] = exception.Code.ApiName() });
    }

    /// <summary>Reads a JSON body; null with a 400 problem when it is missing or malformed.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadBodyAsync<T>(HttpContext http)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(http);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, V1Wire.Json, http.RequestAborted) is { } body
                ? (body, null)
                : (null, BadRequest("invalid-request", "The body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (null, BadRequest("invalid-request", $"The body is not valid JSON for this request: {e.Message}"));
        }
    }
}
