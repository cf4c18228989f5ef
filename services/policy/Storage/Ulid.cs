using System.Security.Cryptography;

namespace Mesh.Policy.Storage;

/// <summary>
/// ULIDs, the id format of OpenFGA stores and models (26 Crockford base32 characters: 48 bits of
/// milliseconds, 80 random bits). Monotonic within this process, so ordering by id orders by creation.
/// </summary>
public static class Ulid
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private static readonly Lock Gate = new();
    private static long lastMilliseconds = -1;
    private static readonly byte[] LastRandom = new byte[10];

    public static string NewId(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var milliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
        Span<byte> bytes = stackalloc byte[16];
        lock (Gate)
        {
            if (milliseconds <= lastMilliseconds)
            {
                // Same millisecond (or a clock step back): keep the last time and count up, so ids stay ordered.
                milliseconds = lastMilliseconds;
                Increment(LastRandom);
            }
            else
            {
                lastMilliseconds = milliseconds;
                RandomNumberGenerator.Fill(LastRandom);
            }

            LastRandom.CopyTo(bytes[6..]);
        }

        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)(milliseconds & 0xFF);
            milliseconds >>= 8;
        }

        return Encode(bytes);
    }

    /// <summary>Whether <paramref name="value"/> has OpenFGA's id format.</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: 26 } && value[0] <= '7' && value.All(c => Alphabet.Contains(c, StringComparison.Ordinal));

    private static void Increment(byte[] random)
    {
        for (var i = random.Length - 1; i >= 0; i--)
        {
            if (++random[i] != 0)
            {
                return;
            }
        }
    }

    private static string Encode(ReadOnlySpan<byte> bytes)
    {
        // 128 bits as 26 five-bit groups, most significant first (the first group carries 3 bits).
        var high = ((ulong)bytes[0] << 56) | ((ulong)bytes[1] << 48) | ((ulong)bytes[2] << 40) | ((ulong)bytes[3] << 32)
            | ((ulong)bytes[4] << 24) | ((ulong)bytes[5] << 16) | ((ulong)bytes[6] << 8) | bytes[7];
        var low = ((ulong)bytes[8] << 56) | ((ulong)bytes[9] << 48) | ((ulong)bytes[10] << 40) | ((ulong)bytes[11] << 32)
            | ((ulong)bytes[12] << 24) | ((ulong)bytes[13] << 16) | ((ulong)bytes[14] << 8) | bytes[15];
        var value = new UInt128(high, low);
        Span<char> chars = stackalloc char[26];
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }

        return new string(chars);
    }
}
