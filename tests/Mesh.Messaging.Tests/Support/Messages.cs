using System.Text.Json;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;

namespace Mesh.Messaging.Tests.Support;

/// <summary>Valid messages and headers for the tests.</summary>
public static class Messages
{
    public const string Tenant = "acme";

    public static ToolRequest ToolRequest(Guid? sessionId = null, int callIndex = 0, string tenant = Tenant)
    {
        var session = sessionId ?? Guid.NewGuid();
        var turn = Guid.NewGuid();
        return new ToolRequest(
            RequestIds.ForToolCall(session, turn, callIndex), session, turn, callIndex, tenant, "alice", "weather.forecast",
            JsonSerializer.Deserialize<JsonElement>("""{"city":"Bern","days":2}"""), DateTimeOffset.UtcNow);
    }

    public static PublishContext Context(ToolRequest request) => new(request.TenantId, request.TurnId.ToString());

    public static string Json(ToolRequest request) => MeshJson.Serialize(request);

    /// <summary>The standard headers of a tool request as a producer that is not our library would send them.</summary>
    public static Dictionary<string, string> StandardHeaders(string? tenant = Tenant) => new()
    {
        [MeshHeaders.MessageId] = Guid.NewGuid().ToString(),
        [MeshHeaders.CorrelationId] = Guid.NewGuid().ToString(),
        [MeshHeaders.CausationId] = Guid.NewGuid().ToString(),
        [MeshHeaders.TraceParent] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        [MeshHeaders.TenantId] = tenant ?? Tenant,
        [MeshHeaders.ContentType] = MeshHeaders.JsonContentType,
        [MeshHeaders.Schema] = MeshSchemas.ToolRequest,
    };
}
