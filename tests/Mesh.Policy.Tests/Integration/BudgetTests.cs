using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Integration;

/// <summary>Daily budgets through the running service: reserve, commit, exceed, expire, isolation, failing closed.</summary>
[TestFixture]
public sealed class BudgetTests
{
    [Test]
    public async Task Reserve_then_commit_counts_the_actual_usage_and_releases_the_rest()
    {
        var tenant = await PolicyStack.NewTenantAsync("bgt");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        await SetLimitsAsync(client, tenant.TenantId, new { daily_tokens = 1000, daily_cost = 2.5m });

        var reservation = await ReserveAsync(client, new { tenant_id = tenant.TenantId, tokens = 600, cost = 1.0m });
        var held = await BudgetAsync(client, tenant.TenantId);
        using var commit = await client.PostAsJsonAsync("/v1/budgets/commit", new { reservation_id = reservation, tokens = 250, cost = 0.4m });
        var committed = await commit.Content.ReadFromJsonAsync<JsonElement>();
        var after = await BudgetAsync(client, tenant.TenantId);
        using var again = await client.PostAsJsonAsync("/v1/budgets/commit", new { reservation_id = reservation, tokens = 250, cost = 0.4m });
        var ledger = await LedgerAsync(tenant.TenantId);

        Assert.Multiple(() =>
        {
            Assert.That(Figure(held, "tokens", "reserved"), Is.EqualTo(600));
            Assert.That(Figure(held, "tokens", "remaining"), Is.EqualTo(400));
            Assert.That(commit.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(committed.GetProperty("status").GetString(), Is.EqualTo("committed"));
            Assert.That(Figure(after, "tokens", "used"), Is.EqualTo(250));
            Assert.That(Figure(after, "tokens", "reserved"), Is.Zero);
            Assert.That(Figure(after, "cost", "used"), Is.EqualTo(0.4m));
            Assert.That(Figure(after, "cost", "remaining"), Is.EqualTo(2.1m));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a repeated commit counts once");
            Assert.That(Figure(after, "tokens", "limit"), Is.EqualTo(1000));
            Assert.That(ledger, Is.EqualTo(new[] { ("reserve", 600L), ("commit", 250L) }));
        });
    }

    [Test]
    public async Task Reservation_beyond_the_daily_limit_is_refused_with_budget_exceeded()
    {
        var tenant = await PolicyStack.NewTenantAsync("bgx");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        await SetLimitsAsync(client, tenant.TenantId, new { daily_tokens = 100, daily_cost = (decimal?)null });
        await ReserveAsync(client, new { tenant_id = tenant.TenantId, tokens = 70, cost = 0m });
        using var refused = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, tokens = 40, cost = 0m });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        using var fits = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, tokens = 30, cost = 5m });
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:budget:exceeded"));
            Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("budget_exceeded"));
            Assert.That(problem.GetProperty("scope").GetString(), Is.EqualTo("tenant"));
            Assert.That(problem.GetProperty("kind").GetString(), Is.EqualTo("tokens"));
            Assert.That(problem.GetProperty("reserved").GetDecimal(), Is.EqualTo(70));
            Assert.That(fits.StatusCode, Is.EqualTo(HttpStatusCode.Created), "exactly reaching the limit is allowed; cost is unlimited");
        });
    }

    [Test]
    public async Task Persona_limit_applies_within_the_tenant_limit()
    {
        var tenant = await PolicyStack.NewTenantAsync("bgp");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        await SetLimitsAsync(client, tenant.TenantId, new { daily_tokens = 1000 });
        await SetLimitsAsync(client, tenant.TenantId, new { persona_id = "researcher", daily_cost = 1.0m });
        await ReserveAsync(client, new { tenant_id = tenant.TenantId, persona_id = "researcher", tokens = 10, cost = 0.8m });
        using var refused = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, persona_id = "researcher", tokens = 10, cost = 0.3m });
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        using var otherPersona = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, persona_id = "writer", tokens = 10, cost = 0.3m });
        var report = await BudgetAsync(client, tenant.TenantId);
        var researcher = report.GetProperty("personas").EnumerateArray().Single(p => p.GetProperty("persona_id").GetString() == "researcher");
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(problem.GetProperty("scope").GetString(), Is.EqualTo("persona"));
            Assert.That(problem.GetProperty("kind").GetString(), Is.EqualTo("cost"));
            Assert.That(otherPersona.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(Figure(report, "tokens", "reserved"), Is.EqualTo(20));
            Assert.That(researcher.GetProperty("cost").GetProperty("reserved").GetDecimal(), Is.EqualTo(0.8m));
            Assert.That(researcher.GetProperty("cost").GetProperty("limit").GetDecimal(), Is.EqualTo(1.0m));
        });
    }

    [Test]
    public async Task Expired_reservation_is_released_and_a_late_commit_still_counts_the_usage()
    {
        var tenant = await PolicyStack.NewTenantAsync("bge");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        await SetLimitsAsync(client, tenant.TenantId, new { daily_tokens = 100 });
        var reservation = await ReserveAsync(client, new { tenant_id = tenant.TenantId, tokens = 80, cost = 0m, ttl_seconds = 1 });
        using var whileHeld = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, tokens = 50, cost = 0m });

        await Poll.UntilAsync(
            async () => Figure(await BudgetAsync(client, tenant.TenantId), "tokens", "reserved") == 0,
            TimeSpan.FromSeconds(5), "the expired reservation to be released");
        var afterExpiry = await ReserveAsync(client, new { tenant_id = tenant.TenantId, tokens = 50, cost = 0m });
        using var late = await client.PostAsJsonAsync("/v1/budgets/commit", new { reservation_id = reservation, tokens = 20, cost = 0m });
        var lateBody = await late.Content.ReadFromJsonAsync<JsonElement>();
        var report = await BudgetAsync(client, tenant.TenantId);
        var ledger = await LedgerAsync(tenant.TenantId);
        Assert.Multiple(() =>
        {
            Assert.That(whileHeld.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(afterExpiry, Is.Not.EqualTo(Guid.Empty));
            Assert.That(lateBody.GetProperty("status").GetString(), Is.EqualTo("committed_after_expiry"));
            Assert.That(Figure(report, "tokens", "used"), Is.EqualTo(20));
            Assert.That(Figure(report, "tokens", "reserved"), Is.EqualTo(50));
            Assert.That(ledger, Does.Contain(("expire", 80L)));
        });
    }

    [Test]
    public async Task Tenant_never_sees_or_changes_another_tenants_budget()
    {
        var owner = await PolicyStack.NewTenantAsync("bgo");
        var other = await PolicyStack.NewTenantAsync("bgi");
        using var ownerClient = await PolicyStack.ClientAsync(owner.Key);
        using var otherClient = await PolicyStack.ClientAsync(other.Key);
        var reservation = await ReserveAsync(ownerClient, new { tenant_id = owner.TenantId, tokens = 10, cost = 0m });

        using var read = await otherClient.GetAsync($"/v1/budgets/{owner.TenantId}");
        using var limits = await otherClient.PutAsJsonAsync($"/v1/budgets/{owner.TenantId}/limits", new { daily_tokens = 1 });
        using var reserve = await otherClient.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = owner.TenantId, tokens = 1, cost = 0m });
        using var commit = await otherClient.PostAsJsonAsync("/v1/budgets/commit", new { reservation_id = reservation, tokens = 1, cost = 0m });
        var ownerReport = await BudgetAsync(ownerClient, owner.TenantId);
        Assert.Multiple(() =>
        {
            Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(limits.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(reserve.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(commit.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Figure(ownerReport, "tokens", "reserved"), Is.EqualTo(10));
            Assert.That(Figure(ownerReport, "tokens", "used"), Is.Zero);
        });
    }

    [Test]
    public async Task Service_key_reserves_for_any_tenant_and_budget_gauges_are_exported()
    {
        var stack = await PolicyStack.GetAsync();
        var tenant = await PolicyStack.NewTenantAsync("bgs");
        using var service = await PolicyStack.ClientAsync(stack.ServiceKey);
        await SetLimitsAsync(service, tenant.TenantId, new { daily_tokens = 500, daily_cost = 3m });
        var reservation = await ReserveAsync(service, new { tenant_id = tenant.TenantId, tokens = 42, cost = 0.5m });
        using var commit = await service.PostAsJsonAsync("/v1/budgets/commit", new { reservation_id = reservation, tokens = 42, cost = 0.5m });
        Assert.That(commit.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var metrics = "";
        await Poll.UntilAsync(async () =>
        {
            metrics = await stack.Services["policy"].Http.GetStringAsync("/metrics");
            return metrics.Contains($"mesh_policy_budget_used{{kind=\"tokens\",tenant=\"{tenant.TenantId}\"}} 42", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "the budget gauges to show the committed usage");
        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Contain($"mesh_policy_budget_limit{{kind=\"tokens\",tenant=\"{tenant.TenantId}\"}} 500"));
            Assert.That(metrics, Does.Contain($"mesh_policy_budget_limit{{kind=\"cost\",tenant=\"{tenant.TenantId}\"}} 3"));
            Assert.That(metrics, Does.Contain($"mesh_policy_budget_used{{kind=\"cost\",tenant=\"{tenant.TenantId}\"}} 0.5"));
        });
    }

    [TestCase("""{"tokens":1,"cost":0}""")]
    [TestCase("""{"tenant_id":"dev","tokens":-1,"cost":0}""")]
    [TestCase("""{"tenant_id":"dev","tokens":1}""")]
    [TestCase("""{"tenant_id":"dev","tokens":1,"cost":0,"ttl_seconds":0}""")]
    [TestCase("""{"tenant_id":"dev","persona_id":"bad persona","tokens":1,"cost":0}""")]
    public async Task Malformed_reservation_is_a_400(string body)
    {
        using var client = await PolicyStack.ClientAsync();
        using var response = await client.PostAsync("/v1/budgets/reserve", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:policy:invalid-request"));
        });
    }

    [Test]
    [Order(100)]
    public async Task Without_redis_no_budget_is_granted_and_reservations_resume_when_it_returns()
    {
        var stack = await PolicyStack.GetAsync();
        var tenant = await PolicyStack.NewTenantAsync("bgr");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        await stack.Redis.StopAsync();
        HttpResponseMessage? refused = null;
        try
        {
            refused = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, tokens = 1, cost = 0m });
        }
        finally
        {
            await stack.Redis.StartAgainAsync();
        }

        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        var status = HttpStatusCode.ServiceUnavailable;
        await Poll.UntilAsync(async () =>
        {
            using var response = await client.PostAsJsonAsync("/v1/budgets/reserve", new { tenant_id = tenant.TenantId, tokens = 1, cost = 0m });
            status = response.StatusCode;
            return status == HttpStatusCode.Created;
        }, TimeSpan.FromSeconds(30), "reservations to work again after Redis returned");
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:budget:unavailable"));
        });
        refused.Dispose();
    }

    private static async Task SetLimitsAsync(HttpClient client, string tenantId, object limits)
    {
        using var response = await client.PutAsJsonAsync($"/v1/budgets/{tenantId}/limits", limits);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<Guid> ReserveAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("/v1/budgets/reserve", request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reservation_id").GetGuid();
    }

    private static async Task<JsonElement> BudgetAsync(HttpClient client, string tenantId)
    {
        using var response = await client.GetAsync($"/v1/budgets/{tenantId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static decimal Figure(JsonElement report, string kind, string figure) => report.GetProperty(kind).GetProperty(figure).GetDecimal();

    private static async Task<List<(string Kind, long Tokens)>> LedgerAsync(string tenantId)
    {
        var database = await PolicyStack.DatabaseAsync();
        await using var command = database.CreateCommand("SELECT kind, tokens FROM policy_budget_ledger WHERE tenant_id = @tenant ORDER BY id");
        command.Parameters.AddWithValue("tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }
}
