using Microsoft.AspNetCore.Http;

namespace Mesh.Delegation.Endpoints;

/// <summary>RFC 9457 problem details with stable types <c>urn:mesh:problem:delegation:&lt;name&gt;</c>.</summary>
public static class Problems
{
    public static IResult Create(int status, string name, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = "urn:mesh:problem:delegation:" + name,
            ["title"] = title,
            ["status"] = status,
            ["detail"] = detail,
        };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            body[key] = value;
        }

        return Results.Json(body, Wire.Json, "application/problem+json", status);
    }

    public static IResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, "invalid-request", "Invalid request", detail);

    public static IResult NotFound(Guid id) =>
        Create(StatusCodes.Status404NotFound, "not-found", "No such execution", $"Execution {id} does not exist for this tenant.");

    public static IResult Refused(int status, string code, string detail) =>
        Create(status, code.Replace('_', '-'), "Refused", detail, new Dictionary<string, object?> { ["code"] = code });
}
