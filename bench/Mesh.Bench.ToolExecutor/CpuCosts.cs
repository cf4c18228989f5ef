using System.Diagnostics;
using System.Text.Json;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Mesh.ToolExecutor.Tools;
using Mesh.ToolExecutor.Tools.BuiltIn;

namespace Mesh.Bench.ToolExecutor;

/// <summary>The CPU pieces of one echo call, each timed alone in this process (no I/O).</summary>
internal static class CpuCosts
{
    public static async Task<List<(string Name, double Microseconds)>> MeasureAsync()
    {
        var session = Guid.NewGuid();
        var turn = Guid.NewGuid();
        var request = new ToolRequest(RequestIds.ForToolCall(session, turn, 0), session, turn, 0, "dev", "dev-user", "echo",
            JsonSerializer.SerializeToElement(new { text = "benchmark" }), DateTimeOffset.UtcNow);
        var requestBody = MeshJson.SerializeToUtf8Bytes(request);
        var result = new ToolResult(request.RequestId, session, turn, 0, "dev", "echo", ToolResultStatus.Succeeded, false, false, 1, "bench",
            DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { text = "benchmark" }), PolicyDecisionId: Guid.NewGuid());
        var resultBody = MeshJson.SerializeToUtf8Bytes(result);
        var registry = new ToolRegistry(Microsoft.Extensions.Options.Options.Create(new ToolOverrides()));
        var echo = await registry.RegisterAsync(new EchoTool(TimeProvider.System));
        return
        [
            ("request schema validation (consumer library)", Time(() => MeshSchemas.Validate(MeshSchemas.ToolRequest, requestBody))),
            ("request deserialization", Time(() => MeshJson.Deserialize<ToolRequest>(requestBody))),
            ("argument schema validation (executor)", Time(() => echo.Validate(request.Arguments))),
            ("argument normalization, digest, cache key", Time(() =>
            {
                var normalized = ToolArguments.Normalize(request.Arguments);
                ToolArguments.Digest(normalized);
                ToolArguments.CacheKey("echo", "1", normalized);
            })),
            ("result serialization (record + publish)", Time(() =>
            {
                MeshJson.Serialize(result);
                MeshJson.SerializeToUtf8Bytes(result);
            })),
            ("result schema validation (publisher)", Time(() => MeshSchemas.Validate(MeshSchemas.ToolResult, resultBody))),
        ];
    }

    private static double Time(Action action)
    {
        for (var i = 0; i < 1000; i++)
        {
            action();
        }
        const int n = 10_000;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            action();
        }
        return clock.Elapsed.TotalMicroseconds / n;
    }
}
