using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Policy.Tests.OpenFga;

/// <summary>How the fake answers.</summary>
public enum FakeBehaviour
{
    /// <summary>OpenFGA's bodies: check allows exactly the tuples in <see cref="FakeOpenFgaServer.Allowed"/>.</summary>
    Answer,

    /// <summary>500 with OpenFGA's internal error body.</summary>
    Fail,

    /// <summary>Answers only after 5 seconds.</summary>
    Hang,
}

/// <summary>
/// A stand-in OpenFGA server on a free loopback port (a minimal Kestrel app) that speaks OpenFGA's request and
/// response bodies and records every request it receives.
/// </summary>
public sealed class FakeOpenFgaServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private FakeOpenFgaServer(WebApplication app, int port)
    {
        this.app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    private volatile FakeBehaviour behaviour = FakeBehaviour.Answer;

    /// <summary>How the next requests are answered.</summary>
    public FakeBehaviour Behaviour
    {
        get => behaviour;
        set => behaviour = value;
    }

    /// <summary>Tuples (<c>object#relation@user</c>) a check allows.</summary>
    public ConcurrentDictionary<string, bool> Allowed { get; } = new(StringComparer.Ordinal);

    /// <summary>Every request: method, path, Authorization header and body.</summary>
    public ConcurrentQueue<(string Method, string Path, string Authorization, JsonNode? Body)> Requests { get; } = new();

    public static async Task<FakeOpenFgaServer> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeOpenFgaServer(app, port);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext http)
    {
        var text = await new StreamReader(http.Request.Body).ReadToEndAsync();
        var body = text.Length > 0 ? JsonNode.Parse(text) : null;
        var path = http.Request.Path.Value ?? "";
        Requests.Enqueue((http.Request.Method, path, http.Request.Headers.Authorization.ToString(), body));
        switch (Behaviour)
        {
            case FakeBehaviour.Fail:
                await Json(http, 500, """{"code":"internal_error","message":"Internal Server Error"}""");
                return;
            case FakeBehaviour.Hang:
                await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted);
                break;
        }

        var segments = path.Trim('/').Split('/');
        var operation = segments.Length >= 3 ? segments[2] : segments.Length == 2 ? "store" : "";
        switch (operation)
        {
            case "store":
                await Json(http, 200, $$"""{"id":"{{segments[1]}}","name":"fake","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}""");
                break;
            case "check":
                var key = body!["tuple_key"]!;
                if (key["relation"]!.GetValue<string>() == "no_such_relation")
                {
                    await Json(http, 400, """{"code":"validation_error","message":"relation 'tool#no_such_relation' not found"}""");
                    break;
                }

                var allowed = Allowed.ContainsKey($"{key["object"]}#{key["relation"]}@{key["user"]}");
                await Json(http, 200, $$"""{"allowed":{{(allowed ? "true" : "false")}},"resolution":""}""");
                break;
            case "write":
                await Json(http, 200, "{}");
                break;
            case "read":
                await Json(http, 200, """
                    {"tuples":[{"key":{"user":"user:anne","relation":"executor","object":"tool:echo"},"timestamp":"2025-02-03T04:05:06Z"}],"continuation_token":"next-page"}
                    """);
                break;
            case "list-objects":
                await Json(http, 200, """{"objects":["tool:echo","tool:clock.now"]}""");
                break;
            case "list-users":
                await Json(http, 200, """{"users":[{"object":{"type":"user","id":"anne"}},{"userset":{"type":"tenant","id":"dev","relation":"member"}},{"wildcard":{"type":"user"}}]}""");
                break;
            default:
                await Json(http, 404, """{"code":"undefined_endpoint","message":"Not Found"}""");
                break;
        }
    }

    private static Task Json(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(json);
    }
}
