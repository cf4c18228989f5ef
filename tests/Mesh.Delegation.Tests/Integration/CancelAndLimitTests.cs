using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>
/// Executions whose child turns are held open (their <c>http.fetch</c> waits on <see cref="SlowPages"/>): cancelling
/// cascades to every running child, budgets and the depth limit are enforced by the server.
/// </summary>
[TestFixture]
public sealed class CancelAndLimitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Cancelling_mid_way_cancels_every_running_child_turn()
    {
        using var client = await DelegationStack.ClientAsync();
        var pages = DelegationStack.Pages;
        var run = Guid.NewGuid().ToString("N");
        var id = await Api.StartAsync(client, new { goal = $"- Fetch {pages.Url(run + "/a")}\n- Fetch {pages.Url(run + "/b")}" });
        var running = await Api.WaitForRunningTasksAsync(client, id, 2, Timeout);
        await Poll.UntilAsync(() => pages.Arrivals(run + "/a") > 0 && pages.Arrivals(run + "/b") > 0, Timeout, "both children to be fetching");
        var sessions = Api.WorkTasks(running).Select(Api.Session).ToList();

        using var cancel = await client.PostAsync($"/v1/executions/{id}/cancel", null);
        var cancelled = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        IReadOnlyList<JsonElement> outbound = [];
        try
        {
            await Poll.UntilAsync(async () =>
            {
                outbound = await Api.MessagesAsync("conversation.outbound", sessions);
                return outbound.Count(e => e.GetProperty("type").GetString() == "turn.cancelled") == 2;
            }, Timeout, "both child turns to end cancelled");
        }
        catch (TimeoutException e)
        {
            Assert.Fail($"{e.Message} Child events: {Api.Describe(outbound)}");
        }
        var inbound = await Api.MessagesAsync("conversation.inbound", sessions);
        var detail = await Api.DetailAsync(client, id);
        pages.Release(run + "/a");
        pages.Release(run + "/b");
        using var again = await client.PostAsync($"/v1/executions/{id}/cancel", null);
        var receipt = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");

        Assert.Multiple(() =>
        {
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(cancelled.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
            Assert.That(cancelled.GetProperty("job_state").GetString(), Is.EqualTo("interrupted"));
            Assert.That(inbound.Where(m => m.GetProperty("kind").GetString() == "cancel").Select(m => m.GetProperty("session_id").GetGuid()), Is.EquivalentTo(sessions));
            Assert.That(outbound.Where(e => e.GetProperty("type").GetString() == "turn.cancelled").Select(e => e.GetProperty("session_id").GetGuid()), Is.EquivalentTo(sessions));
            Assert.That(outbound.Any(e => e.GetProperty("type").GetString() == "assistant.final"), Is.False, "no child finished its answer");
            Assert.That(detail.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("status").GetString()), Is.All.EqualTo("cancelled"));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "cancelling twice is harmless");
            Assert.That(receipt.GetProperty("inputs").GetProperty("status").GetString(), Is.EqualTo("cancelled"));
        });
    }

    [Test]
    public async Task Time_budget_running_out_fails_the_execution_and_stops_its_child()
    {
        using var client = await DelegationStack.ClientAsync();
        var pages = DelegationStack.Pages;
        var run = Guid.NewGuid().ToString("N");
        var id = await Api.StartAsync(client, new { goal = $"Fetch {pages.Url(run)}", time_budget_ms = 2000 });

        var status = await Api.WaitForEndAsync(client, id, Timeout);
        var detail = await Api.DetailAsync(client, id);
        var session = Api.Session(Api.WorkTasks(detail).Single());
        var inbound = await Api.MessagesAsync("conversation.inbound", [session]);
        pages.Release(run);

        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("failed"));
            Assert.That(status.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("time_budget_exhausted"));
            Assert.That(inbound.Select(m => m.GetProperty("kind").GetString()), Is.EqualTo(new[] { "message", "cancel" }));
            Assert.That(inbound[0].GetProperty("metadata").GetProperty("labels").GetProperty("delegation.deadline").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task Depth_limit_refuses_deeper_delegation_and_a_nested_execution_ends_with_its_parent()
    {
        using var client = await DelegationStack.ClientAsync();
        var pages = DelegationStack.Pages;
        var run = Guid.NewGuid().ToString("N");
        var shallow = await Api.StartAsync(client, new { goal = $"Fetch {pages.Url(run + "/shallow")}", max_depth = 0 });
        var deep = await Api.StartAsync(client, new
        {
            goal = $"- Fetch {pages.Url(run + "/a")}\n- Fetch {pages.Url(run + "/b")}",
            max_depth = 2,
            token_budget = 100_000,
            allowed_tools = new[] { "http.fetch", "math.evaluate" },
        });
        var shallowSession = Api.Session(Api.WorkTasks(await Api.WaitForRunningTasksAsync(client, shallow, 1, Timeout)).Single());
        var deepTask = Api.WorkTasks(await Api.WaitForRunningTasksAsync(client, deep, 2, Timeout))[0];

        using var refused = await client.PostAsJsonAsync("/v1/executions", new { goal = "Dig deeper", parent_session_id = shallowSession });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var nested = await Api.StartAsync(client, new
        {
            goal = $"Fetch {pages.Url(run + "/nested")}",
            max_depth = 5,
            token_budget = 1_000_000,
            allowed_tools = new[] { "http.fetch", "clock.now" },
            parent_session_id = Api.Session(deepTask),
        });
        var nestedDetail = await Api.WaitForRunningTasksAsync(client, nested, 1, Timeout);
        var nestedInbound = await Api.MessagesAsync("conversation.inbound", [Api.Session(Api.WorkTasks(nestedDetail).Single())]);
        var parentBudgets = (await Api.DetailAsync(client, deep)).GetProperty("budgets");

        using var cancel = await client.PostAsync($"/v1/executions/{deep}/cancel", null);
        var nestedEnd = await Api.WaitForEndAsync(client, nested, Timeout);
        using var cancelShallow = await client.PostAsync($"/v1/executions/{shallow}/cancel", null);
        foreach (var page in new[] { "/shallow", "/a", "/b", "/nested" })
        {
            pages.Release(run + page);
        }

        var labels = nestedInbound[0].GetProperty("metadata").GetProperty("labels");
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
            Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("depth_limit_exceeded"));
            Assert.That(nestedDetail.GetProperty("base_depth").GetInt32(), Is.EqualTo(2));
            Assert.That(nestedDetail.GetProperty("max_depth").GetInt32(), Is.EqualTo(2), "a nested execution keeps the parent's depth limit");
            Assert.That(nestedDetail.GetProperty("parent").GetProperty("execution_id").GetGuid(), Is.EqualTo(deep));
            Assert.That(nestedDetail.GetProperty("parent").GetProperty("task_id").GetGuid(), Is.EqualTo(deepTask.GetProperty("task_id").GetGuid()));
            Assert.That(nestedDetail.GetProperty("actor_id").GetString(), Is.EqualTo("dev-user"));
            Assert.That(nestedDetail.GetProperty("budgets").GetProperty("token_budget").GetInt64(), Is.EqualTo(100_000), "at most the parent's remaining tokens");
            Assert.That(nestedDetail.GetProperty("allowed_tools").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "http.fetch" }));
            Assert.That(parentBudgets.GetProperty("tokens_delegated").GetInt64(), Is.EqualTo(100_000));
            Assert.That(nestedInbound[0].GetProperty("metadata").GetProperty("depth").GetInt32(), Is.EqualTo(2));
            Assert.That(nestedInbound[0].GetProperty("metadata").GetProperty("parent_task_id").GetGuid(), Is.EqualTo(deepTask.GetProperty("task_id").GetGuid()));
            Assert.That(labels.GetProperty("delegation.allowed_tools").GetString(), Is.EqualTo("http.fetch"));
            Assert.That(labels.GetProperty("delegation.token_budget").GetString(), Is.EqualTo("100000"));
            Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(nestedEnd.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
            Assert.That(nestedEnd.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("parent_ended"));
            Assert.That(cancelShallow.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Goal_splitting_wider_than_the_fan_out_limit_fails_without_starting_any_child()
    {
        using var client = await DelegationStack.ClientAsync();
        var items = string.Join('\n', Enumerable.Range(1, 9).Select(i => $"{i}. What is {i} plus {i}?"));
        var id = await Api.StartAsync(client, new { goal = items });

        var status = await Api.WaitForEndAsync(client, id, Timeout);
        var detail = await Api.DetailAsync(client, id);

        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("failed"));
            Assert.That(status.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo("fan_out_limit_exceeded"));
            Assert.That(detail.GetProperty("tasks").GetArrayLength(), Is.Zero);
        });
    }
}
