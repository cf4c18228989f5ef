using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Mesh.Testing;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>Turns that make the offline model run <c>math.evaluate</c>, and the JSON log lines of the stack's services.</summary>
public static class ToolTurns
{
    /// <summary>
    /// A question the offline model answers with <c>math.evaluate</c>. The numbers are random, so the executor's
    /// result cache cannot answer it and the tool really runs.
    /// </summary>
    public static string FreshQuestion() =>
        $"what is {RandomNumberGenerator.GetInt32(100, 1000)}+{RandomNumberGenerator.GetInt32(100, 1000)}*{RandomNumberGenerator.GetInt32(2, 10)}?";

    /// <summary>Sends <paramref name="request"/> (a message POST) and waits until its turn has ended; returns the turn's events.</summary>
    public static async Task<(Guid TurnId, List<JsonElement> Events)> RunAsync(HttpClient client, Guid session, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        if ((int)response.StatusCode != 202)
        {
            throw new InvalidOperationException($"The message was answered {(int)response.StatusCode}: {accepted}");
        }
        var turn = accepted.GetProperty("turn_id").GetGuid();
        var events = new List<JsonElement>();
        await Poll.UntilAsync(async () =>
        {
            var (_, history) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}/events?after=0&limit=1000");
            events = [.. history.GetProperty("events").EnumerateArray().Where(e => e.Str("turn_id") == turn.ToString("D"))];
            return events.Any(e => e.Type() is "assistant.final" or "error");
        }, TimeSpan.FromSeconds(60), $"the end of turn {turn}", TimeSpan.FromMilliseconds(200));
        return (turn, events);
    }

    /// <summary>Sends a fresh math question to <paramref name="session"/> and waits for the answer.</summary>
    public static Task<(Guid TurnId, List<JsonElement> Events)> RunAsync(HttpClient client, Guid session) =>
        RunAsync(client, session, Message(session, FreshQuestion()));

    /// <summary>A <c>POST /v1/sessions/{id}/messages</c> request.</summary>
    public static HttpRequestMessage Message(Guid session, string text) =>
        new(HttpMethod.Post, $"/v1/sessions/{session}/messages") { Content = JsonContent.Create(new { message = text }) };

    /// <summary>The JSON object lines a service has logged so far (other output is skipped).</summary>
    public static List<JsonElement> JsonLines(ServiceProcess service)
    {
        var lines = new List<JsonElement>();
        foreach (var line in service.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }
            try
            {
                using var document = JsonDocument.Parse(line);
                lines.Add(document.RootElement.Clone());
            }
            catch (JsonException)
            {
                // A line cut short or not from the JSON formatter.
            }
        }
        return lines;
    }
}
