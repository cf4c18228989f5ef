using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Mesh.Cli.Chat;

/// <summary>
/// Writes conversation events to the terminal as they stream in: the user's messages, the answer as it grows,
/// tool calls as one line each, errors in red. Text is written as text, never interpreted as markup.
/// </summary>
internal sealed class Transcript(IAnsiConsole console, Func<string?, bool> typedHere)
{
    private Guid? openTurn;
    private bool lineOpen;
    private bool streamed;

    public void Render(JsonElement e)
    {
        var type = e.GetProperty("type").GetString();
        var turn = e.TryGetProperty("turn_id", out var t) ? t.GetGuid() : Guid.Empty;
        switch (type)
        {
            case "message.accepted":
                if (!typedHere(Str(e, "client_msg_id")))
                {
                    Line(new Markup("[blue]you ›[/] " + Markup.Escape(Str(e, "text") ?? "")));
                }
                break;
            case "assistant.started":
                EnterTurn(turn);
                break;
            case "assistant.delta":
                EnterTurn(turn);
                WriteAnswer(Str(e, "delta") ?? "");
                streamed = true;
                break;
            case "tool.started":
                Line(new Markup("  [grey]⚙ " + Markup.Escape(ToolName(e)) + " …[/]"));
                break;
            case "tool.completed":
                Line(new Markup("  " + ToolOutcome(e.GetProperty("tool"))));
                break;
            case "assistant.final":
                EnterTurn(turn);
                if (!streamed)
                {
                    WriteAnswer(Str(e, "text") ?? "");
                }
                EndLine();
                if (e.TryGetProperty("usage", out var usage))
                {
                    Line(new Markup(string.Create(CultureInfo.InvariantCulture,
                        $"[grey]({usage.GetProperty("input_tokens").GetInt32()} in · {usage.GetProperty("output_tokens").GetInt32()} out tokens)[/]")));
                }
                openTurn = null;
                break;
            case "error":
                Line(new Markup("[red]error:[/] " + Markup.Escape(e.TryGetProperty("error", out var error) ? Str(error, "message") ?? "" : "")));
                openTurn = null;
                break;
            case "turn.cancelled":
                Line(new Markup("[yellow]cancelled[/]"));
                openTurn = null;
                break;
            default:
                break;
        }
    }

    /// <summary>A line of the client itself (connection state, refusals).</summary>
    public void Note(string text, bool isError = false) =>
        Line(new Markup((isError ? "[red]" : "[grey]") + Markup.Escape(text) + "[/]"));

    private void EnterTurn(Guid turn)
    {
        if (openTurn != turn)
        {
            EndLine();
            openTurn = turn;
            streamed = false;
        }
    }

    private void WriteAnswer(string text)
    {
        if (!lineOpen)
        {
            console.Write(new Markup("[green]assistant ›[/] "));
            lineOpen = true;
        }
        console.Write(new Text(text));
    }

    private void Line(Markup markup)
    {
        EndLine();
        console.Write(markup);
        console.WriteLine();
    }

    private void EndLine()
    {
        if (lineOpen)
        {
            console.WriteLine();
            lineOpen = false;
        }
    }

    private static string ToolName(JsonElement e) => e.TryGetProperty("tool", out var tool) ? Str(tool, "name") ?? "tool" : "tool";

    private static string ToolOutcome(JsonElement tool)
    {
        var status = Str(tool, "status") ?? "unknown";
        var mark = status == "succeeded" ? "[green]✓[/]" : "[red]✗[/]";
        var duration = tool.TryGetProperty("duration_ms", out var ms) ? string.Create(CultureInfo.InvariantCulture, $" ({ms.GetInt64()} ms)") : "";
        var summary = Str(tool, "summary") is { Length: > 0 } s ? " — " + s : "";
        return $"{mark} [grey]{Markup.Escape(Str(tool, "name") ?? "tool")} {Markup.Escape(status.Replace('_', ' '))}{duration}{Markup.Escape(summary)}[/]";
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
