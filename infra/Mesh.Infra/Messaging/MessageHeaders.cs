using System.Text;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;

namespace Mesh.Infra.Messaging;

/// <summary>Builds and reads the standard headers every mesh message carries (architecture.md, "Topics").</summary>
public static class MessageHeaders
{
    /// <summary>
    /// Headers a consumer requires; a message without one is dead-lettered. <c>traceparent</c> is not among them:
    /// a message with a missing or malformed trace context starts a new trace instead of being refused.
    /// </summary>
    public static IReadOnlyList<string> Required { get; } =
    [
        MeshHeaders.MessageId, MeshHeaders.CorrelationId, MeshHeaders.CausationId,
        MeshHeaders.TenantId, MeshHeaders.ContentType, MeshHeaders.Schema,
    ];

    /// <summary>The standard headers of a new message.</summary>
    /// <param name="schemaId">The body's schema id, e.g. <c>mesh.tool.request/v1</c>.</param>
    /// <param name="context">Tenant, turn and cause.</param>
    /// <param name="messageId">The new message's id.</param>
    /// <param name="traceParent">The W3C trace context to continue in the consumer.</param>
    /// <returns>Kafka headers in <see cref="MeshHeaders.Standard"/> order.</returns>
    public static Headers Create(string schemaId, PublishContext context, Guid messageId, string traceParent)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(context.TenantId);
        ArgumentException.ThrowIfNullOrWhiteSpace(context.CorrelationId);
        var id = messageId.ToString("D");
        var headers = new Headers();
        Add(headers, MeshHeaders.MessageId, id);
        Add(headers, MeshHeaders.CorrelationId, context.CorrelationId);
        Add(headers, MeshHeaders.CausationId, string.IsNullOrEmpty(context.CausationId) ? id : context.CausationId);
        Add(headers, MeshHeaders.TraceParent, traceParent);
        Add(headers, MeshHeaders.TenantId, context.TenantId);
        Add(headers, MeshHeaders.ContentType, MeshHeaders.JsonContentType);
        Add(headers, MeshHeaders.Schema, schemaId);
        return headers;
    }

    /// <summary>Reads headers as UTF-8 text by name; a name sent twice keeps its last value.</summary>
    /// <param name="headers">The headers of a received message, or null.</param>
    /// <returns>The header values by name.</returns>
    public static IReadOnlyDictionary<string, string> Read(Headers? headers)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in headers ?? [])
        {
            values[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes() ?? []);
        }

        return values;
    }

    /// <summary>The first of <see cref="Required"/> that is missing or empty, or null when all are present.</summary>
    /// <param name="headers">Header values by name.</param>
    /// <returns>A header name, or null.</returns>
    public static string? FirstMissing(IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var name in Required)
        {
            if (!headers.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>
    /// A copy of <paramref name="headers"/> without the headers a dead-lettering consumer adds, so that a message
    /// dead-lettered again, or replayed, carries one current set of them. <c>replayed-from</c> is kept unless
    /// <paramref name="dropReplayedFrom"/> is set.
    /// </summary>
    internal static Headers WithoutDeadLetterHeaders(Headers? headers, bool dropReplayedFrom)
    {
        var copy = new Headers();
        foreach (var header in headers ?? [])
        {
            var isDeadLetter = MeshHeaders.DeadLetter.Contains(header.Key)
                && (dropReplayedFrom || header.Key != MeshHeaders.ReplayedFrom);
            if (!isDeadLetter)
            {
                copy.Add(header.Key, header.GetValueBytes());
            }
        }

        return copy;
    }

    internal static void Add(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));
}
