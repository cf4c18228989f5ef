using System.Globalization;

namespace Mesh.Bench.ToolExecutor;

/// <summary>
/// CPU time (user + system, from /proc) of each part of the stack, to see where a call's CPU goes on a machine
/// whose two cores every part shares. A part is a set of processes found afresh at each reading.
/// </summary>
internal sealed class StackCpu(IReadOnlyList<(string Name, Func<IEnumerable<int>> Processes)> parts)
{
    /// <summary>Milliseconds of CPU each part has used so far.</summary>
    public Dictionary<string, double> Read() => parts.ToDictionary(p => p.Name, p => p.Processes().Sum(Milliseconds));

    /// <summary>The processes started by <paramref name="parent"/> whose command line contains <paramref name="text"/>.</summary>
    public static IEnumerable<int> Children(int parent, string text) =>
        All().Where(p => p.Parent == parent && p.CommandLine.Contains(text, StringComparison.Ordinal)).Select(p => p.Id);

    /// <summary>The PostgreSQL server listening on <paramref name="port"/> and its backends.</summary>
    public static IEnumerable<int> Postgres(int port)
    {
        var processes = All().ToList();
        var servers = processes.Where(p => p.CommandLine.Contains("postgres", StringComparison.Ordinal)
            && p.CommandLine.Contains($"-p {port.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal)).Select(p => p.Id).ToHashSet();
        return processes.Where(p => servers.Contains(p.Id) || servers.Contains(p.Parent)).Select(p => p.Id);
    }

    /// <summary>utime + stime of a process in milliseconds (clock ticks of 10 ms); 0 once it has exited.</summary>
    public static double Milliseconds(int pid)
    {
        var fields = StatFields(pid);
        return fields is null ? 0
            : (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static IEnumerable<(int Id, int Parent, string CommandLine)> All()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || StatFields(pid) is not { } fields)
            {
                continue;
            }
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            yield return (pid, int.Parse(fields[1], CultureInfo.InvariantCulture), commandLine);
        }
    }

    // The fields after the command name of /proc/<pid>/stat: state, ppid, ... (the name may contain spaces).
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
