using System.Diagnostics;

namespace Mesh.Testing;

/// <summary>Runs a command to completion and captures its output.</summary>
public static class ProcessRunner
{
    /// <summary>The outcome of a finished command.</summary>
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>, optionally feeding <paramref name="stdin"/>, killing it at the timeout.</summary>
    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time.");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The full path of a command on PATH, or null.</summary>
    public static string? Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);
}
