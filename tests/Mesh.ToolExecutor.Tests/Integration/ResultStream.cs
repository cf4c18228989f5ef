using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Mesh.Contracts.Messaging;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>One message read from tool.results by kcat.</summary>
/// <param name="Json">The body exactly as it was on the wire.</param>
/// <param name="Headers">The headers as kcat printed them (<c>name=value</c> pairs).</param>
public sealed record ReceivedResult(string Json, string Headers)
{
    public JsonElement Body { get; } = JsonDocument.Parse(Json).RootElement.Clone();

    public string Status => Body.GetProperty("status").GetString()!;

    public string? ErrorCode => Body.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : null;

    public string? ErrorMessage => Body.TryGetProperty("error", out var e) ? e.GetProperty("message").GetString() : null;

    public JsonElement Output => Body.TryGetProperty("output", out var output) ? output : throw new InvalidOperationException("The result has no output: " + Json);

    public bool FromCache => Body.GetProperty("from_cache").GetBoolean();

    public string ExecutorId => Body.GetProperty("executor_id").GetString()!;

    public override string ToString() => Json;
}

/// <summary>
/// Reads tool.results from the beginning with kcat (an independent client) for as long as the stack runs, and
/// keeps every result by request id, so tests wait for their own results and never see another test's.
/// </summary>
public sealed class ResultStream : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentDictionary<Guid, ConcurrentQueue<ReceivedResult>> results = new();
    private readonly ConcurrentQueue<string> errors = new();

    private ResultStream(Process process) => this.process = process;

    public static ResultStream Start(string bootstrapServers)
    {
        var info = new ProcessStartInfo("kcat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-C", "-b", bootstrapServers, "-t", MeshTopics.ToolResults, "-o", "beginning", "-u", "-q", "-f", "%h\t%s\n" })
        {
            info.ArgumentList.Add(argument);
        }
        var stream = new ResultStream(Process.Start(info)!);
        stream.process.OutputDataReceived += (_, e) => stream.Add(e.Data);
        stream.process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                stream.errors.Enqueue(line);
            }
        };
        stream.process.BeginOutputReadLine();
        stream.process.BeginErrorReadLine();
        return stream;
    }

    /// <summary>Every result received so far for <paramref name="requestId"/>.</summary>
    public IReadOnlyList<ReceivedResult> For(Guid requestId) => results.TryGetValue(requestId, out var queue) ? [.. queue] : [];

    /// <summary>Waits until <paramref name="count"/> results for the request arrived and returns them.</summary>
    public async Task<IReadOnlyList<ReceivedResult>> WaitAsync(Guid requestId, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (For(requestId) is { } found && found.Count >= count)
            {
                return found;
            }
            if (process.HasExited)
            {
                throw new InvalidOperationException("kcat stopped reading tool.results: " + string.Join('\n', errors));
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"{For(requestId).Count} of {count} result(s) for request {requestId} arrived in time. kcat: {string.Join('\n', errors.TakeLast(5))}");
    }

    /// <summary>Waits for the first result of the request.</summary>
    public async Task<ReceivedResult> FirstAsync(Guid requestId, TimeSpan? timeout = null) => (await WaitAsync(requestId, 1, timeout))[0];

    /// <summary>Waits until every request has at least one result.</summary>
    public async Task WaitForAllAsync(IEnumerable<Guid> requestIds, TimeSpan timeout)
    {
        var pending = requestIds.ToHashSet();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            pending.RemoveWhere(id => results.ContainsKey(id));
            if (pending.Count == 0)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{pending.Count} request(s) got no result within {timeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private void Add(string? line)
    {
        var tab = line?.IndexOf('\t', StringComparison.Ordinal) ?? -1;
        if (tab < 0)
        {
            return;
        }
        var result = new ReceivedResult(line![(tab + 1)..], line[..tab]);
        var id = Guid.Parse(result.Body.GetProperty("request_id").GetString()!);
        results.GetOrAdd(id, _ => new ConcurrentQueue<ReceivedResult>()).Enqueue(result);
    }
}
