using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Mesh.Cli.Chat;

/// <summary>
/// <c>mesh chat</c>: opens (or resumes) a session and streams it. Each line typed is a message; <c>/cancel</c>
/// cancels the running turn, <c>/quit</c> (or end of input) leaves. When input is not a terminal, each line waits
/// for its answer before the next is sent, so <c>echo "what is 2+3*4?" | mesh chat</c> prints the answer.
/// </summary>
internal static class ChatCommand
{
    public static async Task<int> RunAsync(ChatSettings settings, TextReader input, bool interactive, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var key = KeySource.Find(settings.Key, Environment.GetEnvironmentVariable(KeySource.Variable), Directory.GetCurrentDirectory());
        if (key is null)
        {
            console.MarkupLine($"[red]No API key:[/] pass --key, set {KeySource.Variable}, or run 'make run' (it writes .mesh/dev-api-key).");
            return 2;
        }
        using var http = new HttpClient { BaseAddress = settings.Gateway, Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        Guid session;
        try
        {
            session = await OpenSessionAsync(http, settings.Session, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            console.MarkupLine("[red]" + Markup.Escape(e.Message) + "[/]");
            return 1;
        }
        console.MarkupLine($"[grey]session {session:D} — resume with --session {session:D}; /cancel stops an answer, /quit leaves[/]");

        ChatConnection? connection = null;
        var transcript = new Transcript(console, id => connection?.SentHere(id) ?? false);
        using var chat = connection = new ChatConnection(settings.Gateway, key, session, transcript);
        if (settings.Session is not null)
        {
            try
            {
                await ReplayAsync(http, session, chat, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                console.MarkupLine("[red]Reading the session's history failed: " + Markup.Escape(e.Message) + "[/]");
                return 1;
            }
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = chat.RunAsync(stop.Token);
        try
        {
            await chat.Connected.WaitAsync(cancellationToken);
            await ReadInputAsync(chat, input, interactive, cancellationToken);
            return 0;
        }
        catch (InvalidOperationException e)
        {
            console.MarkupLine("[red]" + Markup.Escape(e.Message) + "[/]");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        finally
        {
            await stop.CancelAsync();
            await running;
        }
    }

    private static async Task ReadInputAsync(ChatConnection chat, TextReader input, bool interactive, CancellationToken cancellationToken)
    {
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            var text = line.Trim();
            if (text.Length == 0)
            {
                continue;
            }
            if (text is "/quit" or "/exit")
            {
                break;
            }
            if (text == "/cancel")
            {
                await chat.CancelAsync(cancellationToken);
                continue;
            }
            var answered = await chat.SendAsync(text, cancellationToken);
            if (!interactive)
            {
                await answered.WaitAsync(cancellationToken);
            }
        }
    }

    private static async Task ReplayAsync(HttpClient http, Guid session, ChatConnection chat, CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync($"/v1/sessions/{session:D}/events?after={after}&limit=500", cancellationToken));
            var events = page.RootElement.GetProperty("events");
            if (events.GetArrayLength() == 0)
            {
                return;
            }
            foreach (var e in events.EnumerateArray())
            {
                chat.Replay(e);
                after = e.GetProperty("seq").GetInt64();
            }
        }
    }

    private static async Task<Guid> OpenSessionAsync(HttpClient http, Guid? resume, CancellationToken cancellationToken)
    {
        if (resume is { } id)
        {
            using var existing = await http.GetAsync($"/v1/sessions/{id:D}", cancellationToken);
            return existing.StatusCode switch
            {
                HttpStatusCode.OK => id,
                HttpStatusCode.NotFound => throw new InvalidOperationException($"Session {id:D} does not exist for this key."),
                var status => throw new InvalidOperationException($"The gateway answered {(int)status} for session {id:D}."),
            };
        }
        using var created = await http.PostAsJsonAsync("/v1/sessions", new { metadata = new { client = "mesh-cli" } }, cancellationToken);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Creating a session failed: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync(cancellationToken)}");
        }
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("id").GetGuid();
    }
}
