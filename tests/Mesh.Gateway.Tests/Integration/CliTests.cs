using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary><c>mesh chat</c> as a process against the real stack, fed from a pipe.</summary>
public sealed class CliTests
{
    private static readonly Dictionary<string, string> Plain = new() { ["NO_COLOR"] = "1", ["COLUMNS"] = "200" };

    private static string Cli => RepoPaths.Combine("cli", "Mesh.Cli", "bin", RepoPaths.Configuration, "net10.0", "Mesh.Cli.dll");

    [Test]
    public async Task Mesh_chat_streams_a_tool_using_answer_and_resumes_the_session_with_its_history()
    {
        var url = ChatStack.Gateway.BaseAddress.ToString();

        var first = await ProcessRunner.RunAsync("dotnet", [Cli, "chat", "--url", url, "--key", ChatStack.Stack.AdminKey], "what is 2+3*4?\n", TimeSpan.FromSeconds(90), Plain);
        var session = System.Text.RegularExpressions.Regex.Match(first.StdOut, "session ([0-9a-f-]{36})").Groups[1].Value;
        var resumed = await ProcessRunner.RunAsync("dotnet", [Cli, "chat", "--url", url, "--session", session], "/quit\n", TimeSpan.FromSeconds(60),
            new Dictionary<string, string>(Plain) { ["MESH_API_KEY"] = ChatStack.Stack.AdminKey });

        Assert.Multiple(() =>
        {
            Assert.That(first.ExitCode, Is.EqualTo(0), first.StdErr + first.StdOut);
            Assert.That(first.StdOut, Does.Contain("math.evaluate"));
            Assert.That(first.StdOut, Does.Match("assistant › .*14"), first.StdOut);
            Assert.That(session, Is.Not.Empty);
            Assert.That(resumed.ExitCode, Is.EqualTo(0), resumed.StdErr + resumed.StdOut);
            Assert.That(resumed.StdOut, Does.Contain("you › what is 2+3*4?"), "the history is replayed");
        });
    }

    [Test]
    public async Task Mesh_chat_refuses_an_unknown_session_with_a_clear_message()
    {
        var result = await ProcessRunner.RunAsync("dotnet",
            [Cli, "chat", "--url", ChatStack.Gateway.BaseAddress.ToString(), "--key", ChatStack.Stack.AdminKey, "--session", Guid.NewGuid().ToString()], "", TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.StdOut, Does.Contain("does not exist"));
        });
    }
}
