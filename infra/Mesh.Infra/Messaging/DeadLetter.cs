using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;

namespace Mesh.Infra.Messaging;

/// <summary>A message in a dead-letter topic: the original key, value and headers plus the reason headers.</summary>
public sealed class DeadLetter
{
    internal DeadLetter(string topic, ConsumeResult<byte[]?, byte[]> result)
    {
        Topic = topic;
        Id = new DeadLetterId(result.Partition.Value, result.Offset.Value);
        Key = result.Message.Key;
        Value = result.Message.Value ?? [];
        RawHeaders = result.Message.Headers ?? [];
        Headers = MessageHeaders.Read(result.Message.Headers);
        Timestamp = result.Message.Timestamp.UtcDateTime;
        Fingerprint = ComputeFingerprint(result.Message.Timestamp.UnixTimestampMs, Key, Value);
    }

    /// <summary>The topic the message was dead-lettered from, whose dead-letter topic holds it.</summary>
    public string Topic { get; }

    /// <summary>Its position in the dead-letter topic.</summary>
    public DeadLetterId Id { get; }

    /// <summary>The original key.</summary>
    public byte[]? Key { get; }

    /// <summary>The original value. Message content: never log it.</summary>
    public byte[] Value { get; }

    /// <summary>Every header as UTF-8 text by name.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>When it was written to the dead-letter topic.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>
    /// 16 hex digits over timestamp, key and value. A position is reused when a topic is recreated (the embedded
    /// cluster starts empty after a restart), so a record kept about a dead letter names its fingerprint too.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The key as UTF-8 text, or null.</summary>
    public string? KeyText => Key is null ? null : Encoding.UTF8.GetString(Key);

    /// <summary>The <c>tenant-id</c> header, or null.</summary>
    public string? TenantId => Header(MeshHeaders.TenantId);

    /// <summary>The <c>error-type</c> header, or null.</summary>
    public string? ErrorType => Header(MeshHeaders.ErrorType);

    /// <summary>The <c>error-message</c> header, or null.</summary>
    public string? ErrorMessage => Header(MeshHeaders.ErrorMessage);

    /// <summary>The <c>source-partition</c> header, or null.</summary>
    public int? SourcePartition => int.TryParse(Header(MeshHeaders.SourcePartition), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>The <c>source-offset</c> header, or null.</summary>
    public long? SourceOffset => long.TryParse(Header(MeshHeaders.SourceOffset), NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : null;

    /// <summary>The <c>attempt</c> header, or null.</summary>
    public int? Attempt => int.TryParse(Header(MeshHeaders.Attempt), NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;

    internal Headers RawHeaders { get; }

    /// <summary>A header as UTF-8 text, or null when absent.</summary>
    /// <param name="name">The header name.</param>
    /// <returns>The value, or null.</returns>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    private static string ComputeFingerprint(long timestampMs, byte[]? key, byte[] value)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> prefix = stackalloc byte[12];
        BitConverter.TryWriteBytes(prefix, timestampMs);
        BitConverter.TryWriteBytes(prefix[8..], key?.Length ?? -1);
        hash.AppendData(prefix);
        hash.AppendData(key ?? []);
        hash.AppendData(value);
        return Convert.ToHexStringLower(hash.GetHashAndReset(), 0, 8);
    }
}

/// <summary>One page of a dead-letter listing.</summary>
/// <param name="Items">The dead letters, in partition then offset order.</param>
/// <param name="Next">Pass as <c>after</c> for the next page; null when the listing reached the end.</param>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, DeadLetterId? Next);
