using System.Text.Json;
using Mesh.Cli.Chat;
using NUnit.Framework;
using Spectre.Console;

namespace Mesh.Gateway.Tests.Unit;

public sealed class TranscriptTests
{
    private static readonly Guid Turn = Guid.NewGuid();

    private static (Transcript Transcript, StringWriter Output) Create(Func<string?, bool>? typedHere = null)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        return (new Transcript(console, typedHere ?? (_ => false)), output);
    }

    private static JsonElement Event(string json) => JsonDocument.Parse(json).RootElement;

    [Test]
    public void A_streamed_answer_with_a_tool_call_reads_as_a_conversation()
    {
        var (transcript, output) = Create();
        foreach (var e in new[]
        {
            $$$"""{"type":"message.accepted","turn_id":"{{{Turn}}}","client_msg_id":"c1","text":"what is 2+3*4?"}""",
            $$$"""{"type":"assistant.started","turn_id":"{{{Turn}}}"}""",
            $$$"""{"type":"tool.started","turn_id":"{{{Turn}}}","tool":{"name":"math.evaluate"}}""",
            $$$"""{"type":"tool.completed","turn_id":"{{{Turn}}}","tool":{"name":"math.evaluate","status":"succeeded","duration_ms":3,"summary":"14"}}""",
            $$$"""{"type":"assistant.delta","turn_id":"{{{Turn}}}","delta":"2+3*4 "}""",
            $$$"""{"type":"assistant.delta","turn_id":"{{{Turn}}}","delta":"= 14"}""",
            $$$"""{"type":"assistant.final","turn_id":"{{{Turn}}}","text":"2+3*4 = 14","usage":{"input_tokens":12,"output_tokens":5}}""",
        })
        {
            transcript.Render(Event(e));
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd()).ToArray();

        Assert.That(lines, Is.EqualTo(new[]
        {
            "you › what is 2+3*4?",
            "  ⚙ math.evaluate …",
            "  ✓ math.evaluate succeeded (3 ms) — 14",
            "assistant › 2+3*4 = 14",
            "(12 in · 5 out tokens)",
        }));
    }

    [Test]
    public void Messages_typed_in_this_terminal_are_not_echoed_twice_and_markup_in_text_is_printed_as_is()
    {
        var (transcript, output) = Create(id => id == "mine");

        transcript.Render(Event($$$"""{"type":"message.accepted","turn_id":"{{{Turn}}}","client_msg_id":"mine","text":"typed here"}"""));
        transcript.Render(Event($$$"""{"type":"message.accepted","turn_id":"{{{Turn}}}","client_msg_id":"other","text":"[red]not markup[/]"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(output.ToString(), Does.Not.Contain("typed here"));
            Assert.That(output.ToString(), Does.Contain("[red]not markup[/]"));
        });
    }

    [Test]
    public void A_final_answer_without_deltas_is_printed_whole()
    {
        var (transcript, output) = Create();

        transcript.Render(Event($$$"""{"type":"assistant.final","turn_id":"{{{Turn}}}","text":"whole answer"}"""));

        Assert.That(output.ToString().Trim(), Is.EqualTo("assistant › whole answer"));
    }

    [Test]
    public void The_key_comes_from_the_option_then_the_environment_then_the_dev_key_file_above()
    {
        var root = Directory.CreateTempSubdirectory("mesh-cli-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, ".mesh"));
            File.WriteAllText(Path.Combine(root.FullName, ".mesh", "dev-api-key"), "mesh_from_file\n");
            var nested = Directory.CreateDirectory(Path.Combine(root.FullName, "a", "b")).FullName;

            Assert.Multiple(() =>
            {
                Assert.That(KeySource.Find("mesh_option", "mesh_env", nested), Is.EqualTo("mesh_option"));
                Assert.That(KeySource.Find(null, "mesh_env", nested), Is.EqualTo("mesh_env"));
                Assert.That(KeySource.Find(null, null, nested), Is.EqualTo("mesh_from_file"));
            });
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
