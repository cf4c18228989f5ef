using System.Text.RegularExpressions;
using Dapper;
using Mesh.Contracts.Tools;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>
/// Exactly-once effects across executors and crashes. Runs last and in order: it adds a second executor to the
/// consumer group and then kills it.
/// </summary>
[TestFixture, Order(100)]
public sealed partial class ExactlyOnceTests
{
    private const string SecondExecutor = "tool-executor-2";

    private ExecutorStack stack = null!;
    private ServiceProcess? second;

    [OneTimeSetUp]
    public async Task StartAsync() => stack = await ExecutorStack.GetAsync();

    [Test, Order(1)]
    public async Task A_run_left_unfinished_by_a_crash_is_repeated_only_for_an_idempotent_tool()
    {
        var content = "crash-check " + Guid.NewGuid().ToString("N");
        var save = ToolRequests.Create("memory.save", new { content });
        var echo = ToolRequests.Create("echo", new { text = "again" });
        await using (var connection = await stack.Database.OpenConnectionAsync())
        {
            foreach (var request in new[] { save, echo })
            {
                await connection.ExecuteAsync(
                    "INSERT INTO tool_invocations (request_id, session_id, tenant_id, actor_id, tool, executor_id) VALUES (@RequestId, @SessionId, @TenantId, @ActorId, @Tool, 'crashed-executor')",
                    request);
            }
        }

        var interrupted = await stack.SendAsync(save);
        var repeated = await stack.SendAsync(echo);
        await using var check = await stack.Database.OpenConnectionAsync();
        var saved = await check.ExecuteScalarAsync<long>("SELECT count(*) FROM tool_memories WHERE content = @content", new { content });
        Assert.Multiple(() =>
        {
            Assert.That(interrupted.Status, Is.EqualTo("failed"));
            Assert.That(interrupted.ErrorCode, Is.EqualTo("interrupted"));
            Assert.That(saved, Is.Zero, "memory.save was not run again");
            Assert.That(repeated.Status, Is.EqualTo("succeeded"));
            Assert.That(repeated.Output.GetProperty("text").GetString(), Is.EqualTo("again"));
        });
    }

    [Test, Order(2)]
    public async Task Two_executors_split_a_partitioned_load_and_no_request_runs_twice()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        second = await stack.StartExecutorAsync(SecondExecutor);
        TestContext.Out.WriteLine($"second executor ready after {watch.Elapsed}");
        await Poll.UntilAsync(() => AssignedPattern().IsMatch(second.Log), TimeSpan.FromSeconds(60), "the second executor to be assigned partitions");
        TestContext.Out.WriteLine($"second executor assigned after {watch.Elapsed}");

        var requests = Enumerable.Range(0, 300).Select(i => ToolRequests.Create("echo", new { text = $"load {i}", delay_ms = 5 }, cacheStrategy: CacheStrategy.Never)).ToList();
        await ToolRequests.ProduceAsync(stack.Bootstrap, requests);
        await stack.Results.WaitForAllAsync(requests.Select(r => r.RequestId), TimeSpan.FromSeconds(90));
        TestContext.Out.WriteLine($"all answered after {watch.Elapsed}");

        var executors = requests.Select(r => stack.Results.For(r.RequestId)[0].ExecutorId).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        var audits = await AuditCountsAsync(requests);
        Assert.Multiple(() =>
        {
            Assert.That(executors, Has.Count.EqualTo(2), "both executors answered: " + string.Join(", ", executors));
            Assert.That(executors.Keys, Does.Contain(SecondExecutor));
            Assert.That(audits.Values, Has.All.EqualTo(1), "every request ran exactly once");
            Assert.That(audits, Has.Count.EqualTo(requests.Count));
        });
    }

    [Test, Order(3)]
    public async Task Killing_one_executor_under_load_loses_nothing_and_runs_nothing_twice()
    {
        Assert.That(second, Is.Not.Null, "the second executor of the previous test");
        // Runs of a second, so that the kill lands while each executor has many requests claimed and unfinished.
        var requests = Enumerable.Range(0, 400).Select(i => ToolRequests.Create("echo", new { text = $"crash load {i}", delay_ms = 1000 }, cacheStrategy: CacheStrategy.Never)).ToList();
        await ToolRequests.ProduceAsync(stack.Bootstrap, requests);
        await Poll.UntilAsync(
            () => requests.Count(r => stack.Results.For(r.RequestId) is [var first, ..] && first.ExecutorId == SecondExecutor) >= 20,
            TimeSpan.FromSeconds(60), "the second executor to be in the middle of the load");
        second!.Kill();

        await stack.Results.WaitForAllAsync(requests.Select(r => r.RequestId), TimeSpan.FromSeconds(150));
        var audits = await AuditCountsAsync(requests);
        await using var connection = await stack.Database.OpenConnectionAsync();
        var unfinished = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM tool_invocations WHERE request_id = ANY(@ids) AND finished_at IS NULL", new { ids = requests.Select(r => r.RequestId).ToArray() });
        var takenOver = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM tool_invocations WHERE request_id = ANY(@ids) AND deliveries > 1", new { ids = requests.Select(r => r.RequestId).ToArray() });
        var statuses = requests.Select(r => stack.Results.For(r.RequestId)[0].Status).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(audits, Has.Count.EqualTo(requests.Count), "every request has a recorded execution");
            Assert.That(audits.Values, Has.All.EqualTo(1), "no request has two");
            Assert.That(unfinished, Is.Zero);
            Assert.That(takenOver, Is.Positive, "the killed executor left claimed requests that the other one took over");
            Assert.That(statuses, Is.EqualTo(new[] { "succeeded" }));
        });
    }

    private async Task<Dictionary<Guid, long>> AuditCountsAsync(IEnumerable<ToolRequest> requests)
    {
        await using var connection = await stack.Database.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(Guid RequestId, long Count)>(
            "SELECT request_id, count(*) FROM tool_audit WHERE request_id = ANY(@ids) GROUP BY request_id", new { ids = requests.Select(r => r.RequestId).ToArray() });
        return rows.ToDictionary(r => r.RequestId, r => r.Count);
    }

    [GeneratedRegex(@"assigned tool\.requests\[\d+\]")]
    private static partial Regex AssignedPattern();

}
