using System.Diagnostics;

namespace Mesh.Observability.Metrics;

/// <summary>The standard process metrics, read at scrape time.</summary>
internal static class ProcessMetrics
{
    public const string CpuSeconds = "mesh_process_cpu_seconds_total";
    public const string ResidentMemory = "mesh_process_resident_memory_bytes";
    public const string VirtualMemory = "mesh_process_virtual_memory_bytes";
    public const string StartTime = "mesh_process_start_time_seconds";
    public const string OpenFds = "mesh_process_open_fds";
    public const string Threads = "mesh_process_threads";

    private const string FdDirectory = "/proc/self/fd";

    private static readonly Lazy<double> StartTimeSeconds = new(() =>
    {
        using var process = Process.GetCurrentProcess();
        return (process.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
    });

    /// <summary>Names no instrument may take, so the exporter's own process metrics stay unambiguous.</summary>
    public static bool IsReserved(string name) =>
        name is CpuSeconds or ResidentMemory or VirtualMemory or StartTime or OpenFds or Threads;

    public static IEnumerable<(string Name, MetricType Type, string Help, double Value)> Read()
    {
        using var process = Process.GetCurrentProcess();
        yield return (CpuSeconds, MetricType.Counter, "Total user and system CPU time spent in seconds.", Environment.CpuUsage.TotalTime.TotalSeconds);
        yield return (ResidentMemory, MetricType.Gauge, "Resident memory size in bytes.", process.WorkingSet64);
        yield return (VirtualMemory, MetricType.Gauge, "Virtual memory size in bytes.", process.VirtualMemorySize64);
        yield return (StartTime, MetricType.Gauge, "Start time of the process since unix epoch in seconds.", StartTimeSeconds.Value);
        yield return (Threads, MetricType.Gauge, "Number of OS threads in the process.", process.Threads.Count);

        // Only Linux lists open descriptors this way; elsewhere the metric is left out rather than faked.
        if (Directory.Exists(FdDirectory))
        {
            yield return (OpenFds, MetricType.Gauge, "Number of open file descriptors.", Directory.EnumerateFileSystemEntries(FdDirectory).Count());
        }
    }
}
