using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>A delegation service that crashes mid-execution picks the execution up again when it restarts.</summary>
[TestFixture]
public sealed class ResumeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Restart_mid_execution_resumes_it_to_completion()
    {
        var pages = DelegationStack.Pages;
        var run = Guid.NewGuid().ToString("N");
        Guid id;
        List<Guid> sessions;
        using (var client = await DelegationStack.ClientAsync())
        {
            id = await Api.StartAsync(client, new { goal = $"Fetch {pages.Url(run + "/first")}, then fetch {pages.Url(run + "/second")}" });
            sessions = Api.WorkTasks(await Api.WaitForRunningTasksAsync(client, id, 1, Timeout)).Where(t => t.GetProperty("session_id").ValueKind == JsonValueKind.String).Select(Api.Session).ToList();
            await Poll.UntilAsync(() => pages.Arrivals(run + "/first") > 0, Timeout, "the first child to be fetching");
        }

        await DelegationStack.KillDelegationAsync();
        pages.Release(run + "/first");
        pages.Release(run + "/second");
        await Poll.UntilAsync(async () =>
            (await Api.MessagesAsync("conversation.outbound", sessions)).Any(e => e.GetProperty("type").GetString() == "assistant.final"),
            Timeout, "the first child to answer while the delegation service is down");
        await DelegationStack.StartDelegationAsync();

        using var restarted = await DelegationStack.ClientAsync();
        var status = await Api.WaitForEndAsync(restarted, id, TimeSpan.FromSeconds(150));
        var detail = await Api.DetailAsync(restarted, id);
        using var verify = await restarted.PostAsJsonAsync("/v1/receipts/verify", new { execution_id = id });
        var verdict = await verify.Content.ReadFromJsonAsync<JsonElement>();
        var work = Api.WorkTasks(detail);

        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("completed"), detail.ToString());
            Assert.That(sessions, Has.Count.EqualTo(1), "the second step waited for the first");
            Assert.That(work.Select(t => t.GetProperty("status").GetString()), Is.EqualTo(new[] { "completed", "completed" }));
            Assert.That(work[1].GetProperty("depends_on").EnumerateArray().Single().GetGuid(), Is.EqualTo(work[0].GetProperty("task_id").GetGuid()));
            Assert.That(Api.Session(work[0]), Is.EqualTo(sessions[0]), "the resumed execution kept the child session it had started");
            Assert.That(pages.Arrivals(run + "/second"), Is.GreaterThan(0), "the second step ran after the restart");
            Assert.That(verdict.GetProperty("valid").GetBoolean(), Is.True, verdict.ToString());
        });
    }
}
