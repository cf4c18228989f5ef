using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>Fail closed: while policy cannot answer, nothing runs. Runs late: it stops and restarts the policy service.</summary>
[TestFixture, Order(90)]
public sealed class PolicyDownTests
{
    private ExecutorStack stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => stack = await ExecutorStack.GetAsync();

    [Test]
    public async Task With_policy_down_kv_set_is_denied_as_policy_unavailable_and_its_side_effect_never_happens()
    {
        // A fresh member of the dev tenant, never asked about before, so no allow decision is cached for it.
        var actor = "pd-" + Guid.NewGuid().ToString("N")[..10];
        await stack.WriteTupleAsync("user:" + actor, "member", "tenant:dev");
        var key = "policy-down/" + Guid.NewGuid().ToString("N");
        stack.Policy.Kill();

        var whileDown = await stack.SendAsync(ToolRequests.Create("kv.set", new { key, value = "must not be written" }, actor: actor));
        var written = await stack.Redis.Database.KeyExistsAsync($"tool-kv:dev:{key}");
        await using var connection = await stack.Database.OpenConnectionAsync();
        var audit = await connection.QuerySingleAsync<(string Outcome, string ErrorCode)>(
            "SELECT outcome, error_code FROM tool_audit WHERE request_id = @id", new { id = whileDown.Body.GetProperty("request_id").GetGuid() });

        await stack.RestartPolicyAsync();
        await PolicyAllowsAsync(actor, "kv.set");
        var afterwards = await stack.SendAsync(ToolRequests.Create("kv.set", new { key, value = "written once policy answers" }, actor: actor));

        Assert.Multiple(() =>
        {
            Assert.That(whileDown.Status, Is.EqualTo("denied"));
            Assert.That(whileDown.ErrorCode, Is.EqualTo("policy_unavailable"));
            Assert.That(whileDown.Body.TryGetProperty("policy_decision_id", out _), Is.False);
            Assert.That(written, Is.False, "kv.set did not run");
            Assert.That(audit, Is.EqualTo(("denied", "policy_unavailable")));
            Assert.That(afterwards.Status, Is.EqualTo("succeeded"), "the same actor is allowed once policy answers: " + afterwards.Json);
        });
    }

    // A restarted policy service may still deny while it loads its state; wait until it answers this question with yes.
    private async Task PolicyAllowsAsync(string actor, string tool)
    {
        using var client = new HttpClient { BaseAddress = stack.Policy.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", stack.Stack.ServiceKey);
        await Poll.UntilAsync(async () =>
        {
            using var response = await client.PostAsJsonAsync("/v1/check", new { tenant_id = "dev", user = "user:" + actor, relation = "can_execute", @object = "tool:" + tool });
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allowed").GetBoolean();
        }, TimeSpan.FromSeconds(30), "the restarted policy service to allow " + actor);
    }
}
