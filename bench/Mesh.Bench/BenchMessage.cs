using System.Text.Json;
using Mesh.Contracts.Tools;

namespace Mesh.Bench;

/// <summary>The message both contenders send: a typical tool request.</summary>
internal static class BenchMessage
{
    private static readonly JsonElement Arguments =
        JsonSerializer.Deserialize<JsonElement>("""{"location":"Zürich, CH","date":"2025-06-15","units":"metric","hourly":true}""");

    public static ToolRequest Create()
    {
        var session = Guid.NewGuid();
        var turn = Guid.NewGuid();
        return new ToolRequest(
            RequestIds.ForToolCall(session, turn, 0), session, turn, 0, "bench", "bench-user", "weather.forecast",
            Arguments, DateTimeOffset.UtcNow, PersonaId: "research-assistant", Deadline: DateTimeOffset.UtcNow.AddMinutes(1));
    }
}
