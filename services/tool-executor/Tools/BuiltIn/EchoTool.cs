using System.Text.Json;
using Mesh.ToolExecutor.Domain;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary>
/// <c>echo</c>: returns its text. The optional <c>delay_ms</c> holds the answer back, which makes it the tool
/// for exercising timeouts, cancellation and load end to end.
/// </summary>
public sealed class EchoTool(TimeProvider time) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "echo",
        "Returns the given text unchanged. Optional delay_ms (up to 60000) waits before answering.",
        """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["text"],
          "properties": {
            "text": { "type": "string", "maxLength": 65536 },
            "delay_ms": { "type": "integer", "minimum": 0, "maximum": 60000 }
          }
        }
        """,
        timeout: TimeSpan.FromSeconds(30),
        idempotent: true,
        maxConcurrency: 256,
        cacheTtl: TimeSpan.FromMinutes(1));

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        if (call.Arguments.TryGetProperty("delay_ms", out var delay) && delay.GetInt32() > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(delay.GetInt32()), time, cancellationToken);
        }
        return ToolSchemas.Output(new { text = call.Arguments.GetProperty("text").GetString() });
    }
}
