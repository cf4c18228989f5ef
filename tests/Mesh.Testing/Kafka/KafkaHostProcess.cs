using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mesh.Testing.Kafka;

/// <summary>A running Mesh.KafkaHost child process and its stdout/stdin protocol.</summary>
internal sealed class KafkaHostProcess : IAsyncDisposable
{
    private const string BootstrapLine = "bootstrap=";
    private const string CreatedLine = "topic-created=";
    private const string FailedLine = "topic-failed=";

    private readonly Process _process;
    private readonly TaskCompletionSource<string> _bootstrap = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingTopics = new();
    private readonly ConcurrentQueue<string> _output = new();
    private readonly Lock _stdinGate = new();

    private KafkaHostProcess(Process process) => _process = process;

    /// <summary>Where the test build expects the host: built alongside, with the same configuration.</summary>
    public static string HostDllPath =>
        RepoPaths.Combine("infra", "Mesh.KafkaHost", "bin", RepoPaths.Configuration, "net10.0", "Mesh.KafkaHost.dll");

    private string Output => _output.IsEmpty ? "" : "\nHost output:\n" + string.Join('\n', _output);

    public string BootstrapServers => _bootstrap.Task.IsCompletedSuccessfully
        ? _bootstrap.Task.Result
        : throw new InvalidOperationException("The Kafka host has not started.");

    public static async Task<KafkaHostProcess> StartAsync(string topicPrefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!File.Exists(HostDllPath))
        {
            throw new FileNotFoundException("Build infra/Mesh.KafkaHost first (Mesh.Testing's project reference does).", HostDllPath);
        }

        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The host stops by itself if this test process dies without disposing it.
        foreach (var argument in new[] { HostDllPath, "--topic-prefix", topicPrefix, "--parent-pid", $"{Environment.ProcessId}" })
        {
            info.ArgumentList.Add(argument);
        }

        var host = new KafkaHostProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        host._process.OutputDataReceived += (_, e) => host.OnOutput(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.OnOutput(e.Data);
        host._process.Exited += (_, _) => host.OnExited();
        host._process.Start();
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        try
        {
            await host._bootstrap.Task.WaitAsync(timeout, cancellationToken);
            return host;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            // Disposing waits for the host's output to drain, so the message below shows all of it.
            await host.DisposeAsync();
            throw new InvalidOperationException($"The Kafka host did not start: {e.Message}{host.Output}", e);
        }
        catch (OperationCanceledException)
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task CreateTopicAsync(string name, int partitions, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pendingTopics.TryAdd(name, created))
        {
            throw new InvalidOperationException($"Topic '{name}' is already being created.");
        }

        try
        {
            lock (_stdinGate)
            {
                _process.StandardInput.WriteLine($"create-topic {name} {partitions}");
                _process.StandardInput.Flush();
            }

            await created.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _pendingTopics.TryRemove(name, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The cluster lives only in memory: there is nothing to flush, so killing is a clean stop.
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        if (line.StartsWith(BootstrapLine, StringComparison.Ordinal))
        {
            _bootstrap.TrySetResult(line[BootstrapLine.Length..]);
        }
        else if (line.StartsWith(CreatedLine, StringComparison.Ordinal)
                 && _pendingTopics.TryGetValue(line[CreatedLine.Length..], out var created))
        {
            created.TrySetResult();
        }
        else if (line.StartsWith(FailedLine, StringComparison.Ordinal)
                 && line[FailedLine.Length..].Split(' ', 2) is [var name, var reason]
                 && _pendingTopics.TryGetValue(name, out var failed))
        {
            failed.TrySetException(new InvalidOperationException(reason));
        }
    }

    private void OnExited()
    {
        var error = new InvalidOperationException($"The Kafka host exited with code {_process.ExitCode}.");
        _bootstrap.TrySetException(error);
        foreach (var pending in _pendingTopics.Values)
        {
            pending.TrySetException(error);
        }
    }
}
