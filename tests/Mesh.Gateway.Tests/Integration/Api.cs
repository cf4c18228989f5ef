using System.Net.Http.Json;
using System.Text.Json;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>Small calls of the gateway API that many tests share.</summary>
public static class Api
{
    public static async Task<Guid> CreateSessionAsync(HttpClient client, object? body = null)
    {
        using var response = await client.PostAsJsonAsync("/v1/sessions", body ?? new { });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating a session answered {(int)response.StatusCode}: {text}");
        }
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<(int Status, JsonElement Body)> SendJsonAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
