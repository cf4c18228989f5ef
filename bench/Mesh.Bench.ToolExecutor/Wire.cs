using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;

namespace Mesh.Bench.ToolExecutor;

/// <summary>Echo requests as the conversation worker sends them; each carries its request id as correlation id, which the result echoes.</summary>
internal static class Wire
{
    public static Message<byte[]?, byte[]> EchoRequest(Guid sessionId, out string correlation)
    {
        var turn = Guid.NewGuid();
        var request = new ToolRequest(RequestIds.ForToolCall(sessionId, turn, 0), sessionId, turn, 0, "dev", "dev-user", "echo",
            JsonSerializer.SerializeToElement(new { text = "benchmark" }), DateTimeOffset.UtcNow, CacheStrategy: CacheStrategy.Never);
        correlation = request.RequestId.ToString("D");
        var messageId = Guid.CreateVersion7().ToString("D");
        var headers = new Headers();
        foreach (var (name, value) in new[]
        {
            (MeshHeaders.MessageId, messageId), (MeshHeaders.CorrelationId, correlation), (MeshHeaders.CausationId, messageId),
            (MeshHeaders.TraceParent, $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00"),
            (MeshHeaders.TenantId, "dev"), (MeshHeaders.ContentType, MeshHeaders.JsonContentType), (MeshHeaders.Schema, MeshSchemas.ToolRequest),
        })
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }
        return new Message<byte[]?, byte[]> { Key = Encoding.UTF8.GetBytes(sessionId.ToString("D")), Value = MeshJson.SerializeToUtf8Bytes(request), Headers = headers };
    }

    public static string? Correlation(Headers? headers) =>
        headers is not null && headers.TryGetLastBytes(MeshHeaders.CorrelationId, out var value) ? Encoding.UTF8.GetString(value) : null;
}
