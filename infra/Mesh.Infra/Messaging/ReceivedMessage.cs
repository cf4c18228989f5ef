using System.Text;
using Confluent.Kafka;

namespace Mesh.Infra.Messaging;

/// <summary>A message as it came off the wire, with its headers decoded once.</summary>
internal sealed class ReceivedMessage(ConsumeResult<byte[]?, byte[]> result, string groupId)
{
    public ConsumeResult<byte[]?, byte[]> Result { get; } = result;

    public string GroupId { get; } = groupId;

    public IReadOnlyDictionary<string, string> Headers { get; } = MessageHeaders.Read(result.Message.Headers);

    public string Topic => Result.Topic;

    public int Partition => Result.Partition.Value;

    public long Offset => Result.Offset.Value;

    public string? Key => Result.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null;

    public ReadOnlyMemory<byte> Body => Result.Message.Value ?? [];

    public DateTimeOffset Timestamp => Result.Message.Timestamp.UtcDateTime;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}
