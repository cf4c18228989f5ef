using System.Security.Cryptography;

namespace Mesh.Contracts.Common;

/// <summary>
/// UUIDv7 ids (RFC 9562, section 5.7) that are strictly increasing within this process, so ordering rows by id
/// orders them by creation. <see cref="Guid.CreateVersion7()"/> alone fills the bits below the millisecond with
/// random ones, so two ids made in the same millisecond come in either order; here the 74 bits below the millisecond
/// are a random start that counts up within the millisecond (RFC 9562, section 6.2, method 2). Ids compare the same
/// way as UUIDs in PostgreSQL and as their text.
/// </summary>
public static class TimeOrderedIds
{
    private const int TailBits = 74;
    private static readonly UInt128 TailMask = (UInt128.One << TailBits) - 1;
    private static readonly Lock Gate = new();
    private static long lastMilliseconds = -1;
    private static UInt128 lastTail;

    /// <summary>A new id, greater than every id this process made before it.</summary>
    public static Guid NewId() => NewId(TimeProvider.System);

    /// <inheritdoc cref="NewId()"/>
    public static Guid NewId(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var milliseconds = time.GetUtcNow().ToUnixTimeMilliseconds();
        UInt128 tail;
        lock (Gate)
        {
            if (milliseconds > lastMilliseconds)
            {
                lastMilliseconds = milliseconds;
                lastTail = RandomTail();
            }
            else if (++lastTail > TailMask)
            {
                // The counter ran out (or the clock stepped back that far): borrow the next millisecond.
                lastMilliseconds++;
                lastTail = RandomTail();
            }

            milliseconds = lastMilliseconds;
            tail = lastTail;
        }

        // unix_ts_ms (48) | ver (4) = 7 | rand_a (12) | var (2) = 0b10 | rand_b (62)
        var value = ((UInt128)(ulong)milliseconds << 80)
            | ((UInt128)7 << 76)
            | ((tail >> 62) << 64)
            | ((UInt128)2 << 62)
            | (tail & ((UInt128.One << 62) - 1));
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 15; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new Guid(bytes, bigEndian: true);
    }

    private static UInt128 RandomTail()
    {
        // The top bit starts clear, so a millisecond has room for at least 2^73 ids before it borrows the next one.
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        var high = BitConverter.ToUInt64(random);
        var low = BitConverter.ToUInt64(random[8..]);
        return new UInt128(high, low) & (TailMask >> 1);
    }
}
