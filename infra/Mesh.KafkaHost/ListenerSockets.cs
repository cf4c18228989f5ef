using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Mesh.KafkaHost;

/// <summary>
/// Turns off Nagle's algorithm on the mock brokers' listening sockets, which Linux passes on to every connection
/// they accept. librdkafka's mock cluster leaves it on, so a broker's second small response on a connection waited
/// for the client's delayed acknowledgement of the first (up to 40 ms); real brokers set TCP_NODELAY.
/// </summary>
internal static unsafe partial class ListenerSockets
{
    private const int AddressFamilyInet = 2;
    private const int ProtocolTcp = 6;
    private const int TcpNoDelay = 1;

    /// <summary>Sets TCP_NODELAY on this process's sockets listening on <paramref name="bootstrapServers"/>' ports.</summary>
    /// <returns>How many sockets were changed.</returns>
    public static int DisableNagle(string bootstrapServers)
    {
        var ports = bootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(server => ushort.Parse(server[(server.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        var changed = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var fd) || LocalInetPort(fd) is not { } port || !ports.Contains(port))
            {
                continue;
            }

            var one = 1;
            if (setsockopt(fd, ProtocolTcp, TcpNoDelay, &one, sizeof(int)) == 0)
            {
                changed++;
            }
        }

        return changed;
    }

    // The local port of an IPv4 socket, or null for anything else (a file, a pipe, another family).
    private static ushort? LocalInetPort(int fd)
    {
        var address = stackalloc byte[128];
        var length = 128u;
        if (getsockname(fd, address, &length) != 0 || length < 4 || BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(address, 2)) != AddressFamilyInet)
        {
            return null;
        }

        return BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(address + 2, 2));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockname(int fd, byte* address, uint* length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int option, void* value, uint length);
}
