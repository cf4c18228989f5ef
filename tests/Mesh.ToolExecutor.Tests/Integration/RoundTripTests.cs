using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Mesh.Contracts.Tools;
using Mesh.ToolExecutor.Execution;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

[TestFixture, Order(1)]
public sealed class RoundTripTests
{
    private ExecutorStack stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => stack = await ExecutorStack.GetAsync();

    [Test]
    public async Task Echo_round_trip_answers_succeeded_on_tool_results_with_the_standard_headers_and_a_record()
    {
        var request = ToolRequests.Create("echo", new { text = "hello mesh" });
        var result = await stack.SendAsync(request, TimeSpan.FromSeconds(60));

        await using var connection = await stack.Database.OpenConnectionAsync();
        var record = await connection.QuerySingleAsync<(string Status, string ExecutorId, int Deliveries)>(
            "SELECT status, executor_id, deliveries FROM tool_invocations WHERE request_id = @id", new { id = request.RequestId });
        var audit = await connection.QuerySingleAsync<(string ArgumentDigest, string Outcome, Guid? PolicyDecisionId)>(
            "SELECT argument_digest, outcome, policy_decision_id FROM tool_audit WHERE request_id = @id", new { id = request.RequestId });
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("succeeded"));
            Assert.That(result.Output.GetProperty("text").GetString(), Is.EqualTo("hello mesh"));
            Assert.That(result.Body.GetProperty("session_id").GetString(), Is.EqualTo(request.SessionId.ToString("D")));
            Assert.That(result.Body.GetProperty("policy_decision_id").GetString(), Is.Not.Empty);
            Assert.That(result.Headers, Does.Contain("schema=mesh.tool.result/v1").And.Contain("tenant-id=dev").And.Contain("content-type=application/json"));
            Assert.That(record, Is.EqualTo(("succeeded", result.ExecutorId, 1)));
            Assert.That(audit.Outcome, Is.EqualTo("succeeded"));
            Assert.That(audit.ArgumentDigest, Does.Match("^[0-9a-f]{64}$"));
            Assert.That(audit.PolicyDecisionId?.ToString("D"), Is.EqualTo(result.Body.GetProperty("policy_decision_id").GetString()));
        });
    }

    [Test]
    public async Task Duplicate_request_id_runs_the_tool_once_and_answers_twice_with_identical_results()
    {
        var content = $"duplicate-check {Guid.NewGuid():N}";
        var request = ToolRequests.Create("memory.save", new { content }, cacheStrategy: CacheStrategy.Never);
        await ToolRequests.ProduceAsync(stack.Bootstrap, request, request);
        var results = await stack.Results.WaitAsync(request.RequestId, count: 2, TimeSpan.FromSeconds(60));

        await using var connection = await stack.Database.OpenConnectionAsync();
        var memories = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM tool_memories WHERE content = @content", new { content });
        var audits = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM tool_audit WHERE request_id = @id", new { id = request.RequestId });
        var deliveries = await connection.ExecuteScalarAsync<int>("SELECT deliveries FROM tool_invocations WHERE request_id = @id", new { id = request.RequestId });
        Assert.Multiple(() =>
        {
            Assert.That(results[0].Status, Is.EqualTo("succeeded"));
            Assert.That(results[1].Json, Is.EqualTo(results[0].Json));
            Assert.That(memories, Is.EqualTo(1), "the note was saved once");
            Assert.That(audits, Is.EqualTo(1));
            Assert.That(deliveries, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Unknown_tool_answers_unknown_tool()
    {
        var result = await stack.SendAsync(ToolRequests.Create("no.such.tool", new { }));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("unknown_tool"));
            Assert.That(result.ErrorCode, Is.EqualTo("unknown_tool"));
            Assert.That(result.ErrorMessage, Does.Contain("no.such.tool"));
        });
    }

    [Test]
    public async Task Invalid_arguments_answer_invalid_arguments_with_the_validators_message()
    {
        var result = await stack.SendAsync(ToolRequests.Create("echo", new { text = 5 }));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("invalid_arguments"));
            Assert.That(result.ErrorMessage, Is.EqualTo("$.text: string expected"));
        });
    }

    [Test]
    public async Task A_tool_that_outlives_its_timeout_answers_timeout()
    {
        var result = await stack.SendAsync(ToolRequests.Create("echo", new { text = "slow", delay_ms = 10_000 }));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("timeout"));
            Assert.That(result.ErrorCode, Is.EqualTo("tool_timeout"));
            Assert.That(result.Body.GetProperty("duration_ms").GetInt64(), Is.InRange(4900, 9500));
        });
    }

    [Test]
    public async Task The_request_deadline_cuts_a_run_short_and_a_passed_deadline_prevents_it()
    {
        var cut = ToolRequests.Create("echo", new { text = "late", delay_ms = 1500 }, deadline: DateTimeOffset.UtcNow.AddMilliseconds(800));
        var passed = ToolRequests.Create("kv.set", new { key = "never-set-" + Guid.NewGuid().ToString("N"), value = 1 }, deadline: DateTimeOffset.UtcNow.AddSeconds(-1));
        await ToolRequests.ProduceAsync(stack.Bootstrap, cut, passed);
        var cutResult = await stack.Results.FirstAsync(cut.RequestId);
        var passedResult = await stack.Results.FirstAsync(passed.RequestId);
        Assert.Multiple(() =>
        {
            Assert.That(cutResult.Status, Is.EqualTo("timeout"));
            Assert.That(cutResult.ErrorCode, Is.EqualTo("deadline_exceeded"));
            Assert.That(passedResult.Status, Is.EqualTo("timeout"));
            Assert.That(passedResult.ErrorMessage, Does.Contain("before the tool could run"));
        });
    }

    [Test]
    public async Task A_cancel_signal_cancels_a_running_call_and_one_sent_earlier_prevents_the_run()
    {
        var running = ToolRequests.Create("echo", new { text = "to be cancelled", delay_ms = 4500 });
        await ToolRequests.ProduceAsync(stack.Bootstrap, running);
        await Mesh.Testing.Poll.UntilAsync(async () =>
        {
            await using var connection = await stack.Database.OpenConnectionAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM tool_invocations WHERE request_id = @id", new { id = running.RequestId }) == 1;
        }, TimeSpan.FromSeconds(30), "the request to be claimed");
        await CancelAsync(running.RequestId);
        var cancelled = await stack.Results.FirstAsync(running.RequestId);

        var early = ToolRequests.Create("echo", new { text = "never runs" });
        await CancelAsync(early.RequestId);
        var prevented = await stack.SendAsync(early);
        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Status, Is.EqualTo("cancelled"));
            Assert.That(cancelled.Body.GetProperty("duration_ms").GetInt64(), Is.LessThan(4500));
            Assert.That(prevented.Status, Is.EqualTo("cancelled"));
            Assert.That(prevented.ErrorMessage, Does.Contain("before it ran"));
        });
    }

    [Test]
    public async Task A_cached_result_is_served_for_case_folded_arguments_unless_the_strategy_says_never()
    {
        var n = Random.Shared.Next(1_000_000);
        var first = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression = $"SQRT(16) + {n}" }));
        var second = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression = $"sqrt(16) + {n}" }));
        var never = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression = $"sqrt(16) + {n}" }, cacheStrategy: CacheStrategy.Never));
        Assert.Multiple(() =>
        {
            Assert.That(first.FromCache, Is.False);
            Assert.That(first.Output.GetProperty("result").GetDecimal(), Is.EqualTo(4m + n));
            Assert.That(second.FromCache, Is.True);
            Assert.That(second.Status, Is.EqualTo("succeeded"));
            Assert.That(second.Output.GetProperty("result").GetDecimal(), Is.EqualTo(4m + n));
            Assert.That(second.Body.GetProperty("policy_decision_id").GetString(), Is.Not.Empty, "policy is asked before the cache answers");
            Assert.That(never.FromCache, Is.False);
        });
    }

    [Test]
    public async Task Cache_stats_count_entries_and_hits_and_an_admin_clears_a_tools_entries()
    {
        var expression = $"1 + {Random.Shared.Next(1_000_000)}";
        await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression }));
        var hit = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression }));
        Assert.That(hit.FromCache, Is.True);

        using var admin = stack.Stack.Client("tool-executor");
        var stats = await admin.GetFromJsonAsync<JsonElement>("/v1/tools/cache/stats");
        var math = stats.GetProperty("tools").EnumerateArray().Single(t => t.GetProperty("tool").GetString() == "math.evaluate");
        using var cleared = await admin.DeleteAsync("/v1/tools/cache?tool=math.evaluate");
        var deleted = (await cleared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").GetInt64();
        var afterClear = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression }));

        using var nonAdmin = new HttpClient { BaseAddress = stack.Executor.BaseAddress };
        using var anonymous = await nonAdmin.DeleteAsync("/v1/tools/cache");
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("tenant_id").GetString(), Is.EqualTo("dev"));
            Assert.That(math.GetProperty("entries").GetInt64(), Is.GreaterThanOrEqualTo(1));
            Assert.That(math.GetProperty("hits").GetInt64(), Is.GreaterThanOrEqualTo(1));
            Assert.That(math.GetProperty("stores").GetInt64(), Is.GreaterThanOrEqualTo(1));
            Assert.That(cleared.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(deleted, Is.GreaterThanOrEqualTo(1));
            Assert.That(afterClear.FromCache, Is.False);
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task An_actor_without_the_relation_is_denied_with_the_policy_reason()
    {
        var result = await stack.SendAsync(ToolRequests.Create("echo", new { text = "x" }, actor: "stranger-" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("denied"));
            Assert.That(result.ErrorCode, Is.EqualTo("no_relation"));
            Assert.That(result.Body.GetProperty("policy_decision_id").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task Output_larger_than_the_result_limit_is_cut_and_flagged()
    {
        var result = await stack.SendAsync(ToolRequests.Create("echo", new { text = new string('a', 65_536) }, cacheStrategy: CacheStrategy.Never));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("succeeded"));
            Assert.That(result.Body.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(result.Output.ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(System.Text.Encoding.UTF8.GetByteCount(result.Output.GetRawText()), Is.LessThanOrEqualTo(65_536));
            Assert.That(result.Output.GetString(), Does.StartWith("{\"text\":\"aaaa"));
        });
    }

    [Test]
    public async Task Tools_are_listed_with_their_schemas_and_limits()
    {
        using var client = stack.Stack.Client("tool-executor");
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/tools");
        var tools = body.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Multiple(() =>
        {
            Assert.That(tools.Keys, Is.SupersetOf(new[] { "echo", "clock.now", "math.evaluate", "http.fetch", "memory.save", "memory.search", "memory.forget", "kv.get", "kv.set" }));
            Assert.That(tools["echo"].GetProperty("input_schema").GetProperty("required")[0].GetString(), Is.EqualTo("text"));
            Assert.That(tools["echo"].GetProperty("timeout_ms").GetInt64(), Is.EqualTo(5000), "the configured override");
            Assert.That(tools["math.evaluate"].GetProperty("case_insensitive_fields")[0].GetString(), Is.EqualTo("expression"));
            Assert.That(tools["memory.save"].GetProperty("idempotent").GetBoolean(), Is.False);
            Assert.That(tools["echo"].GetProperty("source").GetString(), Is.EqualTo("builtin"));
        });
    }

    [Test]
    public async Task Metrics_count_requests_by_tool_and_outcome_with_bounded_tool_labels()
    {
        await stack.SendAsync(ToolRequests.Create("echo", new { text = "metrics" }, cacheStrategy: CacheStrategy.Never));
        await stack.SendAsync(ToolRequests.Create("does.not.exist." + Guid.NewGuid().ToString("N"), new { }));
        var metrics = await ExecutorStack.MetricsAsync(stack.Executor);
        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Match("""mesh_tool_requests_total\{[^}]*outcome="succeeded"[^}]*tool="echo"[^}]*\} [1-9]""")
                .Or.Match("""mesh_tool_requests_total\{[^}]*tool="echo"[^}]*outcome="succeeded"[^}]*\} [1-9]"""));
            Assert.That(metrics, Does.Contain("tool=\"unknown\""));
            Assert.That(metrics, Does.Not.Contain("does.not.exist"));
            Assert.That(metrics, Does.Contain("mesh_tool_execution_seconds_bucket"));
            Assert.That(metrics, Does.Contain("mesh_tool_policy_decisions_total"));
            Assert.That(metrics, Does.Contain("mesh_tool_cache_total"));
            Assert.That(metrics, Does.Contain("mesh_tool_circuit_state"));
            Assert.That(metrics, Does.Contain("mesh_tool_inflight"));
        });
    }

    private async Task CancelAsync(Guid requestId)
    {
        await stack.Redis.Database.StringSetAsync(ToolCancellation.Key(requestId), "1", TimeSpan.FromMinutes(5));
        await stack.Redis.Multiplexer.GetSubscriber().PublishAsync(ToolCancellation.Channel, requestId.ToString("D"));
    }
}
