using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Gateway.Endpoints;

/// <summary>The JSON of the gateway's own API bodies: snake_case names, like the message contracts.</summary>
public static class GatewayJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Ok<T>(T body, int status = StatusCodes.Status200OK) => Results.Json(body, Options, statusCode: status);

    /// <summary>
    /// Reads a JSON body of at most <paramref name="maxBytes"/>; on failure a problem instead: 413 when too large,
    /// 400 when not a JSON object of the expected shape. An empty body reads as <paramref name="empty"/> when given.
    /// </summary>
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpContext http, long maxBytes, T? empty = null, IResult? tooLarge = null)
        where T : class
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
        if (http.Request.ContentLength == 0 && empty is not null)
        {
            return (empty, null);
        }
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, Options, http.RequestAborted) is { } body
                ? (body, null)
                : (null, GatewayProblems.Invalid("The body must be a JSON object."));
        }
        catch (JsonException e)
        {
            return (null, GatewayProblems.Invalid("The body is not valid JSON of the expected shape: " + e.Message));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, tooLarge ?? GatewayProblems.Problem(
                StatusCodes.Status413PayloadTooLarge, "body-too-large", "The body is too large", $"A request body may be at most {maxBytes} bytes."));
        }
    }
}
