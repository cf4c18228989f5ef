using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.ConversationWorker.Tests.Llm;

/// <summary>One scripted answer: the chunks to stream, the pause before each, or an HTTP error instead.</summary>
public sealed record FakeAnswer(IReadOnlyList<string> Chunks, TimeSpan PauseBetweenChunks = default, int? ErrorStatus = null);

/// <summary>
/// An OpenAI-compatible chat-completions endpoint on a free loopback port, speaking the real streaming format:
/// Server-Sent Events <c>data: {chat.completion.chunk}</c> with <c>choices[0].delta.content</c> and
/// <c>delta.tool_calls</c> fragments, a usage chunk, then <c>data: [DONE]</c>. It answers each request with the
/// next scripted answer (400 when none is left) and keeps every request body for assertions. It also stands in
/// for the tool executor's catalog (<c>GET /v1/tools</c>), recording the key it was asked with.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<FakeAnswer> script = new();
    private readonly ConcurrentQueue<JsonElement> requests = new();
    private readonly ConcurrentQueue<string> catalogKeys = new();

    private FakeOpenAiServer(WebApplication app, int port)
    {
        this.app = app;
        BaseUrl = new Uri($"http://127.0.0.1:{port}/v1");
    }

    /// <summary>The endpoint to configure (<c>LLM_BASE_URL</c>).</summary>
    public Uri BaseUrl { get; }

    /// <summary>Every request body received, in order.</summary>
    public IReadOnlyList<JsonElement> Requests => [.. requests];

    /// <summary>The base address of the tool catalog stand-in (<c>TOOL_EXECUTOR_URL</c>).</summary>
    public Uri CatalogUrl => new(BaseUrl.GetLeftPart(UriPartial.Authority));

    /// <summary>The tool list served at <c>GET /v1/tools</c>, in the executor's form.</summary>
    public string Catalog { get; set; } = """{"tools":[]}""";

    /// <summary>The Authorization headers the catalog was asked with.</summary>
    public IReadOnlyList<string> CatalogKeys => [.. catalogKeys];

    /// <summary>Forgets the script and the requests of an earlier test.</summary>
    public void Reset()
    {
        script.Clear();
        requests.Clear();
    }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new FakeOpenAiServer(app, port);
        app.MapPost("/v1/chat/completions", server.CompleteAsync);
        app.MapGet("/v1/tools", (HttpContext context) =>
        {
            server.catalogKeys.Enqueue(context.Request.Headers.Authorization.ToString());
            return Results.Text(server.Catalog, "application/json");
        });
        await app.StartAsync();
        return server;
    }

    public void Enqueue(FakeAnswer answer) => script.Enqueue(answer);

    /// <summary>An answer that streams <paramref name="pieces"/> as content deltas, then reports usage.</summary>
    public void EnqueueText(int promptTokens, int completionTokens, params string[] pieces) =>
        Enqueue(new FakeAnswer([.. pieces.Select(Content), Finish("stop"), Usage(promptTokens, completionTokens)]));

    /// <summary>An answer that calls one function, its arguments streamed in two fragments.</summary>
    public void EnqueueToolCall(string id, string function, string arguments, int promptTokens, int completionTokens)
    {
        var half = arguments.Length / 2;
        Enqueue(new FakeAnswer(
        [
            ToolCall(0, id, function, ""),
            ToolCall(0, null, null, arguments[..half]),
            ToolCall(0, null, null, arguments[half..]),
            Finish("tool_calls"),
            Usage(promptTokens, completionTokens),
        ]));
    }

    public static string Content(string text) => Chunk(new JsonObject { ["content"] = text });

    public static string ToolCall(int index, string? id, string? name, string arguments)
    {
        var function = new JsonObject { ["arguments"] = arguments };
        if (name is not null)
        {
            function["name"] = name;
        }

        var call = new JsonObject { ["index"] = index, ["function"] = function };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }

        return Chunk(new JsonObject { ["tool_calls"] = new JsonArray(call) });
    }

    public static string Finish(string reason) => Envelope(new JsonArray(new JsonObject
    {
        ["index"] = 0,
        ["delta"] = new JsonObject(),
        ["finish_reason"] = reason,
    }));

    public static string Usage(int promptTokens, int completionTokens)
    {
        var chunk = JsonNode.Parse(Envelope(new JsonArray()))!.AsObject();
        chunk["usage"] = new JsonObject
        {
            ["prompt_tokens"] = promptTokens,
            ["completion_tokens"] = completionTokens,
            ["total_tokens"] = promptTokens + completionTokens,
        };
        return chunk.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static string Chunk(JsonObject delta) => Envelope(new JsonArray(new JsonObject
    {
        ["index"] = 0,
        ["delta"] = delta,
        ["finish_reason"] = null,
    }));

    private static string Envelope(JsonArray choices) => new JsonObject
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_750_000_000,
        ["model"] = "fake-model",
        ["choices"] = choices,
    }.ToJsonString();

    private async Task CompleteAsync(HttpContext context)
    {
        var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        requests.Enqueue(body.RootElement.Clone());
        if (!script.TryDequeue(out var answer) || answer.ErrorStatus is not null)
        {
            context.Response.StatusCode = answer?.ErrorStatus ?? StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "no scripted answer", type = "invalid_request_error" } });
            return;
        }

        context.Response.ContentType = "text/event-stream";
        foreach (var chunk in answer.Chunks)
        {
            if (answer.PauseBetweenChunks > TimeSpan.Zero)
            {
                await Task.Delay(answer.PauseBetweenChunks, context.RequestAborted);
            }

            await context.Response.WriteAsync($"data: {chunk}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }
}
