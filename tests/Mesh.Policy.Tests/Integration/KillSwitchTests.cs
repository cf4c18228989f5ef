using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.Policy.Domain;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Integration;

/// <summary>Kill switches: flipped through one instance, obeyed by every instance within a second, always audited.</summary>
[TestFixture]
public sealed class KillSwitchTests
{
    private static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(1);

    [Test]
    public async Task Tool_switch_flipped_on_one_instance_denies_on_the_other_within_a_second_and_is_audited()
    {
        var tenant = await TenantWithToolAsync("kst", "search.web");
        var second = await PolicyStack.SecondInstanceAsync();
        using var first = await PolicyStack.ClientAsync(tenant.Key);
        using var other = new HttpClient { BaseAddress = second.BaseAddress };
        other.DefaultRequestHeaders.Authorization = PolicyStack.Bearer(tenant.Key);
        Assert.That((await CheckAsync(other, tenant.TenantId, "tool:search.web")).Reason, Is.EqualTo(DecisionReasons.Allowed));

        using var engaged = await first.PutAsJsonAsync("/v1/kill-switches", new { scope = "tool", tool = "search.web", enabled = true, reason = "runaway costs" });
        Assert.That(engaged.StatusCode, Is.EqualTo(HttpStatusCode.OK), await engaged.Content.ReadAsStringAsync());
        var flipped = Stopwatch.StartNew();
        await Poll.UntilAsync(
            async () => (await CheckAsync(other, tenant.TenantId, "tool:search.web")).Reason == DecisionReasons.KillSwitch,
            PropagationLimit, "the second instance to deny with reason kill_switch");
        var propagation = flipped.Elapsed;
        var unrelatedTool = await CheckAsync(other, tenant.TenantId, "tool:echo");

        using var released = await first.PutAsJsonAsync("/v1/kill-switches", new { scope = "tool", tool = "search.web", enabled = false, reason = "costs capped" });
        await Poll.UntilAsync(
            async () => (await CheckAsync(other, tenant.TenantId, "tool:search.web")).Allowed,
            PropagationLimit, "the second instance to allow again");
        var audit = await AuditAsync(tenant.TenantId);

        TestContext.Progress.WriteLine($"kill switch reached the second instance after {propagation.TotalMilliseconds:0} ms");
        Assert.Multiple(() =>
        {
            Assert.That(unrelatedTool.Reason, Is.Not.EqualTo(DecisionReasons.KillSwitch));
            Assert.That(released.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(audit, Is.EqualTo(new[]
            {
                ("tool", "search.web", true, "runaway costs", "alice"),
                ("tool", "search.web", false, "costs capped", "alice"),
            }));
        });
    }

    [Test]
    public async Task Tenant_switch_stops_every_tool_of_that_tenant_only()
    {
        var stopped = await TenantWithToolAsync("kss", "echo");
        var untouched = await TenantWithToolAsync("ksu", "echo");
        using var stoppedClient = await PolicyStack.ClientAsync(stopped.Key);
        using var untouchedClient = await PolicyStack.ClientAsync(untouched.Key);
        using var engaged = await stoppedClient.PutAsJsonAsync("/v1/kill-switches", new { scope = "tenant", enabled = true, reason = "incident 42" });
        try
        {
            var denied = await CheckAsync(stoppedClient, stopped.TenantId, "tool:echo");
            var otherTenant = await CheckAsync(untouchedClient, untouched.TenantId, "tool:echo");
            Assert.Multiple(() =>
            {
                Assert.That(engaged.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(denied.Reason, Is.EqualTo(DecisionReasons.KillSwitch));
                Assert.That(otherTenant.Reason, Is.EqualTo(DecisionReasons.Allowed));
            });
        }
        finally
        {
            using var _ = await stoppedClient.PutAsJsonAsync("/v1/kill-switches", new { scope = "tenant", enabled = false, reason = "resolved" });
        }
    }

    [Test]
    public async Task Mesh_switch_is_only_for_mesh_administrators_and_stops_every_tenant()
    {
        var stack = await PolicyStack.GetAsync();
        var tenant = await TenantWithToolAsync("ksm", "echo");
        using var tenantAdmin = await PolicyStack.ClientAsync(tenant.Key);
        using var service = await PolicyStack.ClientAsync(stack.ServiceKey);
        using var refused = await tenantAdmin.PutAsJsonAsync("/v1/kill-switches", new { scope = "mesh", enabled = true, reason = "not mine to flip" });
        using var otherTenant = await tenantAdmin.PutAsJsonAsync("/v1/kill-switches", new { scope = "tenant", tenant_id = "dev", enabled = true, reason = "not mine either" });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        using var engaged = await service.PutAsJsonAsync("/v1/kill-switches", new { scope = "mesh", enabled = true, reason = "mesh-wide drill" });
        try
        {
            var denied = await CheckAsync(tenantAdmin, tenant.TenantId, "tool:echo");
            var notAToolCheck = await CheckAsync(tenantAdmin, tenant.TenantId, "tenant:x", relation: "member");
            Assert.Multiple(() =>
            {
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:policy:kill-switch-forbidden"));
                Assert.That(otherTenant.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
                Assert.That(engaged.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(denied.Reason, Is.EqualTo(DecisionReasons.KillSwitch));
                Assert.That(notAToolCheck.Reason, Is.Not.EqualTo(DecisionReasons.KillSwitch));
            });
        }
        finally
        {
            using var _ = await service.PutAsJsonAsync("/v1/kill-switches", new { scope = "mesh", enabled = false, reason = "drill over" });
        }
    }

    [TestCase("""{"scope":"galaxy","enabled":true,"reason":"x"}""")]
    [TestCase("""{"scope":"tool","enabled":true,"reason":"x"}""")]
    [TestCase("""{"scope":"tenant","enabled":true}""")]
    [TestCase("""{"scope":"mesh","tool":"echo","enabled":true,"reason":"x"}""")]
    public async Task Malformed_kill_switch_is_a_400(string body)
    {
        using var client = await PolicyStack.ClientAsync();
        using var response = await client.PutAsync("/v1/kill-switches", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:policy:invalid-request"));
        });
    }

    private static async Task<TestTenant> TenantWithToolAsync(string prefix, string tool)
    {
        var tenant = await PolicyStack.NewTenantAsync(prefix);
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        using var model = await client.PutAsync($"/v1/tenants/{tenant.TenantId}/model", new StringContent(DefaultAuthorizationModel.Dsl, Encoding.UTF8, "text/plain"));
        Assert.That(model.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var tuples = await client.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/tuples", new
        {
            writes = new[]
            {
                new { user = $"user:{tenant.Actor}", relation = "member", @object = $"tenant:{tenant.TenantId}" },
                new { user = $"tenant:{tenant.TenantId}#member", relation = "executor", @object = $"tool:{tool}" },
                new { user = $"tenant:{tenant.TenantId}#member", relation = "executor", @object = "tool:echo" },
            }.DistinctBy(t => t.@object + t.user).ToArray(),
        });
        Assert.That(tuples.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await tuples.Content.ReadAsStringAsync());
        return tenant;
    }

    private static async Task<(bool Allowed, string Reason)> CheckAsync(HttpClient client, string tenantId, string target, string relation = "can_execute")
    {
        using var response = await client.PostAsJsonAsync("/v1/check", new { tenant_id = tenantId, user = "user:alice", relation, @object = target });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (answer.GetProperty("allowed").GetBoolean(), answer.GetProperty("reason").GetString()!);
    }

    private static async Task<List<(string Scope, string Tool, bool Enabled, string Reason, string Actor)>> AuditAsync(string tenantId)
    {
        var database = await PolicyStack.DatabaseAsync();
        await using var command = database.CreateCommand(
            "SELECT scope, tool, enabled, reason, actor FROM policy_kill_switch_audit WHERE tenant_id = @tenant ORDER BY id");
        command.Parameters.AddWithValue("tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, bool, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetString(3), reader.GetString(4)));
        }

        return rows;
    }
}
