using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mesh.Testing;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>
/// Web pages the tool executor's <c>http.fetch</c> reads for child sessions: each answer is held back until the test
/// releases it, which keeps a child's turn running for as long as a test needs.
/// </summary>
public sealed class SlowPages : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> gates = new();
    private readonly ConcurrentDictionary<string, int> arrivals = new();

    private SlowPages(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SlowPages> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var pages = new SlowPages(app, port);
        app.MapGet("/slow/{*path}", async (string path, HttpContext context) =>
        {
            pages.arrivals.AddOrUpdate(path, 1, (_, n) => n + 1);
            await pages.Gate(path).Task.WaitAsync(context.RequestAborted);
            return Results.Text($"Page {path}: the answer is 42.");
        });
        await app.StartAsync();
        return pages;
    }

    /// <summary>The URL of a held page.</summary>
    public string Url(string path) => $"http://127.0.0.1:{Port}/slow/{path}";

    /// <summary>How many requests for <paramref name="path"/> arrived.</summary>
    public int Arrivals(string path) => arrivals.GetValueOrDefault(path);

    /// <summary>Lets every request for <paramref name="path"/>, now and later, be answered.</summary>
    public void Release(string path) => Gate(path).TrySetResult();

    public async ValueTask DisposeAsync()
    {
        foreach (var gate in gates.Values)
        {
            gate.TrySetResult();
        }

        await app.DisposeAsync();
    }

    private TaskCompletionSource Gate(string path) =>
        gates.GetOrAdd(path, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
