using System.Runtime.InteropServices;

namespace Mesh.Bench.Chat;

/// <summary>
/// Raises this process's open-file limit to its hard limit (what <c>ulimit -n</c> would do); the gateway started
/// by the bench inherits it. 11,000 connections need 11,000 descriptors on each side.
/// </summary>
internal static partial class FileLimit
{
    private const int NoFile = 7;

    public static (ulong Soft, ulong Hard) Raise()
    {
        if (GetRLimit(NoFile, out var limit) != 0)
        {
            return (0, 0);
        }
        limit.Current = limit.Max;
        SetRLimit(NoFile, in limit);
        GetRLimit(NoFile, out limit);
        return (limit.Current, limit.Max);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);
}
