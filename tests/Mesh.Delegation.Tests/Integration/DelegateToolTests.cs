using System.Text.Json;
using Mesh.Testing;
using Mesh.ToolExecutor.Tools;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>The tool executor's <c>delegate</c> tool against the running delegation service, called as the executor calls it.</summary>
[TestFixture]
public sealed class DelegateToolTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Delegate_tool_runs_an_execution_for_the_calling_actor_and_returns_its_answer()
    {
        using var tool = await ToolAsync();
        var session = Guid.CreateVersion7();

        var output = await tool.InvokeAsync(Call(session, new { goal = "1. What is 6 times 7?\n2. What is 12 plus 30?", max_depth = 1 }), CancellationToken.None);
        using var client = await DelegationStack.ClientAsync();
        var detail = await Api.DetailAsync(client, output.GetProperty("execution_id").GetGuid());

        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("status").GetString(), Is.EqualTo("completed"));
            Assert.That(output.GetProperty("result").GetString(), Is.EqualTo(detail.GetProperty("result").GetString()));
            Assert.That(detail.GetProperty("tenant_id").GetString(), Is.EqualTo("dev"));
            Assert.That(detail.GetProperty("actor_id").GetString(), Is.EqualTo("dev-user"));
            Assert.That(detail.GetProperty("parent").GetProperty("session_id").GetGuid(), Is.EqualTo(session));
            Assert.That(detail.GetProperty("budgets").GetProperty("time_budget_ms").GetInt64(), Is.LessThanOrEqualTo((long)tool.Descriptor.Timeout.TotalMilliseconds));
            Assert.That(Api.WorkTasks(detail), Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Delegate_tool_called_at_the_depth_limit_is_refused_with_the_services_code()
    {
        using var tool = await ToolAsync();
        using var client = await DelegationStack.ClientAsync();
        var pages = DelegationStack.Pages;
        var run = Guid.NewGuid().ToString("N");
        var id = await Api.StartAsync(client, new { goal = $"Fetch {pages.Url(run)}", max_depth = 0 });
        var child = Api.Session(Api.WorkTasks(await Api.WaitForRunningTasksAsync(client, id, 1, Timeout)).Single());

        var refused = Assert.ThrowsAsync<ToolException>(() => tool.InvokeAsync(Call(child, new { goal = "Go deeper" }), CancellationToken.None));
        using var cancel = await client.PostAsync($"/v1/executions/{id}/cancel", null);
        pages.Release(run);

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Code, Is.EqualTo("depth_limit_exceeded"));
            Assert.That(refused.IsFault, Is.False);
        });
    }

    [Test]
    public async Task Cancelled_delegate_call_cancels_its_execution()
    {
        using var tool = await ToolAsync();
        using var client = await DelegationStack.ClientAsync();
        var pages = DelegationStack.Pages;
        var run = Guid.NewGuid().ToString("N");
        var session = Guid.CreateVersion7();
        using var turn = new CancellationTokenSource();

        var call = tool.InvokeAsync(Call(session, new { goal = $"Fetch {pages.Url(run)}" }), turn.Token);
        await Poll.UntilAsync(() => pages.Arrivals(run) > 0, Timeout, "the delegated child to be fetching");
        await turn.CancelAsync();
        Assert.That(async () => await call, Throws.InstanceOf<OperationCanceledException>());
        var execution = (await Api.GetAsync(client, "/v1/executions?limit=100")).GetProperty("executions").EnumerateArray()
            .Single(e => e.GetProperty("goal").GetString() == $"Fetch {pages.Url(run)}");
        pages.Release(run);

        Assert.That(execution.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
    }

    private static async Task<DelegateTool> ToolAsync()
    {
        var stack = await DelegationStack.GetAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DELEGATION_URL"] = stack.Services["delegation"].BaseAddress.ToString(),
            ["MESH_SERVICE_KEY"] = stack.ServiceKey,
        }).Build();
        return new DelegateTool(configuration);
    }

    private static ToolCall Call(Guid session, object arguments) =>
        new(Guid.CreateVersion7(), session, "dev", "dev-user", null, JsonSerializer.SerializeToElement(arguments));
}
