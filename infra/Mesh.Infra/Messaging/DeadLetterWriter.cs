using System.Globalization;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;

namespace Mesh.Infra.Messaging;

/// <summary>Why a message is being given up on.</summary>
/// <param name="ErrorType">A stable name for the failure.</param>
/// <param name="ErrorMessage">The failure in words, without message content.</param>
/// <param name="Attempt">How many times handling was attempted.</param>
internal sealed record DeadLetterReason(string ErrorType, string ErrorMessage, int Attempt);

/// <summary>
/// Writes a message unchanged (key, value, original headers) to <c>&lt;topic&gt;.dlq</c> with headers naming the
/// error and the source coordinates.
/// </summary>
internal sealed class DeadLetterWriter(IProducer<byte[]?, byte[]> producer, TimeProvider time)
{
    private const int MaxErrorMessageLength = 1000;

    public async Task WriteAsync(ConsumeResult<byte[]?, byte[]> source, DeadLetterReason reason, CancellationToken cancellationToken)
    {
        var headers = MessageHeaders.WithoutDeadLetterHeaders(source.Message.Headers, dropReplayedFrom: false);
        MessageHeaders.Add(headers, MeshHeaders.ErrorType, reason.ErrorType);
        MessageHeaders.Add(headers, MeshHeaders.ErrorMessage, Truncate(reason.ErrorMessage));
        MessageHeaders.Add(headers, MeshHeaders.SourceTopic, source.Topic);
        MessageHeaders.Add(headers, MeshHeaders.SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture));
        MessageHeaders.Add(headers, MeshHeaders.SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture));
        MessageHeaders.Add(headers, MeshHeaders.FailedAt, time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        MessageHeaders.Add(headers, MeshHeaders.Attempt, reason.Attempt.ToString(CultureInfo.InvariantCulture));
        var message = new Message<byte[]?, byte[]> { Key = source.Message.Key, Value = source.Message.Value ?? [], Headers = headers };
        await producer.ProduceAsync(MeshTopics.Dlq(source.Topic), message, cancellationToken);
        MessagingMetrics.DeadLetters.Add(1, new KeyValuePair<string, object?>("topic", source.Topic));
    }

    private static string Truncate(string text) =>
        text.Length <= MaxErrorMessageLength ? text : text[..(MaxErrorMessageLength - 1)] + "…";
}
