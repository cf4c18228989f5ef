using System.CommandLine;
using Mesh.Cli.Chat;

var url = new Option<Uri>("--url")
{
    Description = "The gateway.",
    DefaultValueFactory = _ => new Uri("http://localhost:8080"),
    CustomParser = result =>
    {
        if (Uri.TryCreate(result.Tokens[^1].Value, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
        {
            return parsed;
        }
        result.AddError("--url must be an absolute http:// or https:// URL.");
        return null;
    },
};
var key = new Option<string?>("--key")
{
    Description = "API key (default: $MESH_API_KEY, else .mesh/dev-api-key in this folder or above).",
};
var session = new Option<Guid?>("--session")
{
    Description = "Resume this session (its history is shown first); without it a new session is created.",
};

var chat = new Command("chat", "Chat with the agent in the terminal, streamed over a WebSocket.") { url, key, session };
chat.SetAction((parse, cancellationToken) => ChatCommand.RunAsync(
    new ChatSettings(parse.GetValue(url)!, parse.GetValue(key), parse.GetValue(session)), Console.In, !Console.IsInputRedirected, Spectre.Console.AnsiConsole.Console, cancellationToken));

var root = new RootCommand("Mesh command line.") { chat };
return await root.Parse(args).InvokeAsync();
