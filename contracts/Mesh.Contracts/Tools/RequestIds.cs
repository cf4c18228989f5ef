using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Contracts.Tools;

/// <summary>Deterministic ids shared by every service, so a retried or redelivered call is recognised.</summary>
public static class RequestIds
{
    /// <summary>The namespace of tool-call request ids, <c>c5e144eb-d3b5-4913-bb9d-d9b1b9d2e4d3</c>.</summary>
    public static readonly Guid ToolCallNamespace = new("c5e144eb-d3b5-4913-bb9d-d9b1b9d2e4d3");

    /// <summary>
    /// The request id of the tool call <paramref name="callIndex"/> of a turn: a name-based UUIDv8
    /// (RFC 9562, appendix B.2): SHA-256 over the namespace's 16 bytes (network order) followed by the
    /// UTF-8 name <c>"&lt;session_id&gt;/&lt;turn_id&gt;/&lt;call_index&gt;"</c> (ids lowercase with hyphens,
    /// index in decimal), the first 16 bytes kept, version nibble set to 8 and variant bits to 10.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="turnId">The turn within the session.</param>
    /// <param name="callIndex">Position of the call within the turn, from 0.</param>
    /// <returns>The same id for the same three values, on every machine and in every language.</returns>
    public static Guid ForToolCall(Guid sessionId, Guid turnId, int callIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(callIndex);
        var name = string.Create(CultureInfo.InvariantCulture, $"{sessionId:D}/{turnId:D}/{callIndex}");
        return NameBased(ToolCallNamespace, name);
    }

    /// <summary>
    /// A name-based UUIDv8 (RFC 9562, appendix B.2): SHA-256 over <paramref name="ns"/>'s 16 bytes (network order)
    /// followed by the UTF-8 <paramref name="name"/>, the first 16 bytes kept, version 8, variant 10.
    /// </summary>
    /// <param name="ns">The namespace of this kind of id.</param>
    /// <param name="name">The name within the namespace.</param>
    /// <returns>The same id for the same namespace and name, on every machine and in every language.</returns>
    public static Guid NameBased(Guid ns, string name)
    {
        Span<byte> input = stackalloc byte[16 + Encoding.UTF8.GetByteCount(name)];
        ns.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input[16..]);

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
