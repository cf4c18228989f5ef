using System.Text.Json;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.Testing.Kafka;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>Builds tool requests and produces them with kcat, as the conversation worker would send them.</summary>
public static class ToolRequests
{
    public const string Tenant = "dev";
    public const string Actor = "dev-user";

    public static ToolRequest Create(
        string tool, object arguments, string actor = Actor, Guid? session = null, CacheStrategy cacheStrategy = CacheStrategy.Smart,
        DateTimeOffset? deadline = null, string? persona = null)
    {
        var sessionId = session ?? Guid.NewGuid();
        var turnId = Guid.NewGuid();
        var args = arguments as JsonElement? ?? JsonSerializer.SerializeToElement(arguments);
        return new ToolRequest(RequestIds.ForToolCall(sessionId, turnId, 0), sessionId, turnId, 0, Tenant, actor, tool, args,
            DateTimeOffset.UtcNow, persona, cacheStrategy, deadline);
    }

    /// <summary>Produces the requests (keyed by session) in one kcat run.</summary>
    public static async Task ProduceAsync(string bootstrapServers, params IReadOnlyCollection<ToolRequest> requests)
    {
        var messageId = Guid.CreateVersion7().ToString("D");
        var arguments = new List<string> { "-P", "-b", bootstrapServers, "-t", MeshTopics.ToolRequests, "-K", "\t" };
        foreach (var (name, value) in new Dictionary<string, string>
        {
            [MeshHeaders.MessageId] = messageId,
            [MeshHeaders.CorrelationId] = Guid.NewGuid().ToString("D"),
            [MeshHeaders.CausationId] = messageId,
            [MeshHeaders.TraceParent] = $"00-{Guid.NewGuid():N}-{Guid.NewGuid():N}"[..52] + "-01",
            [MeshHeaders.TenantId] = Tenant,
            [MeshHeaders.ContentType] = MeshHeaders.JsonContentType,
            [MeshHeaders.Schema] = MeshSchemas.ToolRequest,
        })
        {
            arguments.Add("-H");
            arguments.Add($"{name}={value}");
        }
        var lines = string.Concat(requests.Select(r => $"{r.SessionId:D}\t{MeshJson.Serialize(r)}\n"));
        await Kcat.RunCheckedAsync(arguments, stdin: lines, timeout: TimeSpan.FromSeconds(60));
    }
}
