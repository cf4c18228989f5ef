using System.Buffers.Binary;
using Mesh.Contracts.Common;

namespace Mesh.Policy.Storage;

/// <summary>
/// ULIDs, the id format of OpenFGA stores and models (26 Crockford base32 characters: 48 bits of
/// milliseconds, 80 random bits). Made from <see cref="TimeOrderedIds"/>, so they are monotonic within this process
/// like every other id, and ordering by id orders by creation.
/// </summary>
public static class Ulid
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly UInt128 Low62 = (UInt128.One << 62) - 1;

    public static string NewId(TimeProvider time)
    {
        // A UUIDv7's 48 bits of milliseconds and its 74 bits below them (without the version and variant bits)
        // become the ULID's time and the top of its 80 random bits.
        Span<byte> uuid = stackalloc byte[16];
        TimeOrderedIds.NewId(time).TryWriteBytes(uuid, bigEndian: true, out _);
        var value = BinaryPrimitives.ReadUInt128BigEndian(uuid);
        var tail = (((value >> 64) & 0xFFF) << 62) | (value & Low62);
        return Encode(((value >> 80) << 80) | (tail << 6));
    }

    /// <summary>Whether <paramref name="value"/> has OpenFGA's id format.</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: 26 } && value[0] <= '7' && value.All(c => Alphabet.Contains(c, StringComparison.Ordinal));

    private static string Encode(UInt128 value)
    {
        // 128 bits as 26 five-bit groups, most significant first (the first group carries 3 bits).
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
