using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mesh.Testing;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>A request the fake ROMA server received.</summary>
public sealed record RomaRequest(string Method, string Path, string? Authorization, JsonNode? Body);

/// <summary>
/// A ROMA-compatible executions API over real HTTP, scripted by markers in the goal: <c>[unauthorized]</c> answers 401,
/// <c>[slow]</c> holds status requests longer than the client's request timeout, <c>[wait-cancel]</c> stays running
/// until cancelled, anything else runs for two status polls and completes with <c>ROMA result for: &lt;goal&gt;</c>.
/// Requests without <see cref="Key"/> as bearer token are refused with 401.
/// </summary>
public sealed class FakeRoma : IAsyncDisposable
{
    public const string Key = "roma-test-key";

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Remote> executions = new();

    private FakeRoma(WebApplication app, int port)
    {
        this.app = app;
        Url = $"http://127.0.0.1:{port}";
    }

    public string Url { get; }

    public ConcurrentQueue<RomaRequest> Requests { get; } = new();

    public static async Task<FakeRoma> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var roma = new FakeRoma(app, port);
        app.Use(async (context, next) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            var body = text.Length > 0 ? JsonNode.Parse(text) : null;
            context.Items["body"] = body;

            var authorization = context.Request.Headers.Authorization.ToString();
            roma.Requests.Enqueue(new RomaRequest(context.Request.Method, context.Request.Path, authorization, body));
            if (authorization != "Bearer " + Key)
            {
                context.Response.StatusCode = 401;
                return;
            }

            await next(context);
        });
        app.MapPost("/api/v1/executions", (HttpContext context) =>
        {
            var body = (JsonNode)context.Items["body"]!;
            var goal = body["goal"]!.GetValue<string>();
            if (goal.Contains("[unauthorized]", StringComparison.Ordinal))
            {
                return Results.StatusCode(403);
            }

            var id = "roma-" + Guid.NewGuid().ToString("N")[..12];
            roma.executions[id] = new Remote(goal);
            return Results.Json(new { execution_id = id, status = "pending", initial_goal = goal }, statusCode: 202);
        });
        app.MapGet("/api/v1/executions/{id}/status", async (string id, HttpContext context) =>
        {
            if (!roma.executions.TryGetValue(id, out var remote))
            {
                return Results.NotFound();
            }

            if (remote.Goal.Contains("[slow]", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            }

            remote.Polls++;
            var status = remote.Cancelled ? "cancelled"
                : remote.Goal.Contains("[wait-cancel]", StringComparison.Ordinal) || remote.Polls < 3 ? "running"
                : "completed";
            return Results.Json(new { execution_id = id, status, progress = 0.5, completed_tasks = 1, total_tasks = 2 });
        });
        app.MapGet("/api/v1/executions/{id}", (string id) =>
            roma.executions.TryGetValue(id, out var remote)
                ? Results.Json(new { execution_id = id, status = "completed", result = "ROMA result for: " + remote.Goal })
                : Results.NotFound());
        app.MapPost("/api/v1/executions/{id}/cancel", (string id) =>
        {
            if (!roma.executions.TryGetValue(id, out var remote))
            {
                return Results.NotFound();
            }

            remote.Cancelled = true;
            return Results.Json(new { execution_id = id, status = "cancelled" });
        });
        await app.StartAsync();
        return roma;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private sealed class Remote(string goal)
    {
        public string Goal { get; } = goal;

        public int Polls { get; set; }

        public bool Cancelled { get; set; }
    }
}
