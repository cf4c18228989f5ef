using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Contracts.Tools;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>
/// The executor with a real MCP server from the npm registry (@modelcontextprotocol/server-everything, installed
/// under tests/mcp-servers by <c>npm ci</c> and run with node over stdio).
/// </summary>
[TestFixture, Order(3)]
public sealed class McpTests
{
    private ExecutorStack stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Assert.That(File.Exists(ExecutorStack.McpServerEverything), Is.True,
            $"{ExecutorStack.McpServerEverything} is missing: run npm ci --prefix tests/mcp-servers");
        stack = await ExecutorStack.GetAsync();
        foreach (var tool in new[] { "everything.echo", "everything.get-sum" })
        {
            await stack.WriteTupleAsync("tenant:dev#member", "executor", "tool:" + tool);
        }
        await Poll.UntilAsync(async () => (await ToolsAsync()).ContainsKey("everything.get-sum"), TimeSpan.FromSeconds(60), "the MCP server's tools in the registry");
    }

    private async Task<Dictionary<string, JsonElement>> ToolsAsync()
    {
        using var client = stack.Stack.Client("tool-executor");
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/tools");
        return body.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
    }

    [Test]
    public async Task Mcp_tools_join_the_registry_as_server_dot_tool_with_their_input_schemas()
    {
        var tools = await ToolsAsync();
        var sum = tools["everything.get-sum"];
        Assert.Multiple(() =>
        {
            Assert.That(sum.GetProperty("source").GetString(), Is.EqualTo("mcp:everything"));
            Assert.That(sum.GetProperty("available").GetBoolean(), Is.True);
            Assert.That(sum.GetProperty("idempotent").GetBoolean(), Is.True, "the server marks it read-only and idempotent");
            Assert.That(sum.GetProperty("input_schema").GetProperty("properties").TryGetProperty("a", out _), Is.True);
            Assert.That(tools.Keys, Has.Some.StartsWith("everything.echo"));
        });
    }

    [Test]
    public async Task An_mcp_tool_call_runs_on_the_server_and_its_schema_is_enforced()
    {
        var sum = await stack.SendAsync(ToolRequests.Create("everything.get-sum", new { a = 2, b = 40 }, cacheStrategy: CacheStrategy.Never));
        var echo = await stack.SendAsync(ToolRequests.Create("everything.echo", new { message = "through mcp" }));
        var invalid = await stack.SendAsync(ToolRequests.Create("everything.get-sum", new { a = "two", b = 40 }));
        Assert.Multiple(() =>
        {
            Assert.That(sum.Status, Is.EqualTo("succeeded"), sum.Json);
            Assert.That(sum.Output.GetProperty("content")[0].GetProperty("text").GetString(), Does.Contain("42"));
            Assert.That(echo.Output.GetProperty("content")[0].GetProperty("text").GetString(), Does.Contain("through mcp"));
            Assert.That(invalid.Status, Is.EqualTo("invalid_arguments"));
            Assert.That(invalid.ErrorMessage, Does.Contain("$.a"));
        });
    }

    [Test]
    public async Task A_server_that_dies_is_restarted_and_meanwhile_its_tools_answer_failed()
    {
        var before = ServerProcessId();
        Kill(before);

        ReceivedResult? failed = null;
        await Poll.UntilAsync(async () =>
        {
            var result = await stack.SendAsync(ToolRequests.Create("everything.echo", new { message = "while down" }));
            failed = result.Status == "failed" ? result : null;
            return failed is not null;
        }, TimeSpan.FromSeconds(20), "a call to fail while the server is down");

        ReceivedResult? recovered = null;
        await Poll.UntilAsync(async () =>
        {
            recovered = await stack.SendAsync(ToolRequests.Create("everything.echo", new { message = "after restart" }));
            return recovered.Status == "succeeded";
        }, TimeSpan.FromSeconds(60), "the server to be restarted", TimeSpan.FromMilliseconds(500));

        Assert.Multiple(() =>
        {
            Assert.That(failed!.ErrorCode, Is.EqualTo("mcp_server_unavailable"));
            Assert.That(recovered!.Output.GetProperty("content")[0].GetProperty("text").GetString(), Does.Contain("after restart"));
            Assert.That(ServerProcessId(), Is.Not.EqualTo(before), "a new server process");
        });
    }

    // The MCP server is the executor's node child process.
    private int ServerProcessId()
    {
        var parent = stack.Executor.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == parent && File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("server-everything", StringComparison.Ordinal))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }
        throw new InvalidOperationException("The executor has no MCP server child process.");
    }

    private static void Kill(int pid) => System.Diagnostics.Process.GetProcessById(pid).Kill();
}
