namespace Mesh.Testing.Kafka;

/// <summary>
/// Runs kcat, the independent Kafka command-line client, so tests can check the cluster and
/// our messages without trusting our own client.
/// </summary>
public static class Kcat
{
    /// <summary>Runs <c>kcat</c> with <paramref name="arguments"/>, feeding <paramref name="stdin"/> when given.</summary>
    /// <exception cref="TimeoutException">kcat did not finish within <paramref name="timeout"/> (default 30 s).</exception>
    public static Task<ProcessRunner.Result> RunAsync(IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync("kcat", arguments, stdin, timeout ?? TimeSpan.FromSeconds(30));

    /// <summary>Runs kcat and returns its stdout, throwing when it exits with an error.</summary>
    /// <exception cref="InvalidOperationException">kcat exited with a non-zero code.</exception>
    public static async Task<string> RunCheckedAsync(IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var args = arguments.ToList();
        var result = await RunAsync(args, stdin, timeout);
        return result.ExitCode == 0
            ? result.StdOut
            : throw new InvalidOperationException($"kcat {string.Join(' ', args)} exited with {result.ExitCode}: {result.StdErr}");
    }
}
