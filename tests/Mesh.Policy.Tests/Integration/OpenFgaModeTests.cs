using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Policy.Domain;
using Mesh.Policy.Options;
using Mesh.Policy.Tests.OpenFga;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Integration;

/// <summary>
/// A policy process configured with <c>OPENFGA_API_URL</c>: checks, writes and the seed go to that server, and
/// when it fails or stays silent the answer is "denied" with the reason.
/// </summary>
[TestFixture]
public sealed class OpenFgaModeTests
{
    private const string StoreId = "01JBX3P0Q8ZK7M3N9V2C4D6E8F";
    private const string ModelId = "01JBX3P0Q8ZK7M3N9V2C4D6E8G";
    private FakeOpenFgaServer fake = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        fake = await FakeOpenFgaServer.StartAsync();
        var stack = await PolicyStack.GetAsync();
        var service = await stack.StartServiceAsync("policy", new Dictionary<string, string>
        {
            ["OPENFGA_API_URL"] = fake.BaseAddress.ToString(),
            ["OPENFGA_STORE_ID"] = StoreId,
            ["OPENFGA_MODEL_ID"] = ModelId,
            ["OPENFGA_API_TOKEN"] = "fga-secret",
            ["OPENFGA_TIMEOUT_MS"] = "300",
        }, key: "policy-openfga");
        await service.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        client = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
        client.DefaultRequestHeaders.Authorization = PolicyStack.Bearer(stack.AdminKey);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        client.Dispose();
        await fake.DisposeAsync();
    }

    [SetUp]
    public void AnswerNormally() => fake.Behaviour = FakeBehaviour.Answer;

    [Test]
    public async Task Seed_writes_the_dev_tuples_to_openfga_ignoring_duplicates()
    {
        var writes = fake.Requests.Where(r => r.Path == $"/stores/{StoreId}/write").Select(r => r.Body!).ToList();
        Assert.That(writes, Is.Not.Empty);
        var body = writes[0];
        var users = body["writes"]!["tuple_keys"]!.AsArray().Select(t => $"{t!["object"]}#{t["relation"]}@{t["user"]}").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(body["authorization_model_id"]!.GetValue<string>(), Is.EqualTo(ModelId));
            Assert.That(body["writes"]!["on_duplicate"]!.GetValue<string>(), Is.EqualTo("ignore"));
            Assert.That(users, Does.Contain("tenant:dev#member@user:dev-user"));
            Assert.That(users, Has.Count.EqualTo(DevBootstrapOptions.BuiltInTools.Count + 1));
        });
    }

    [Test]
    public async Task Check_is_answered_by_openfga()
    {
        fake.Allowed["tool:echo#can_execute@user:dev-user"] = true;
        var allowed = await CheckAsync("user:dev-user");
        var denied = await CheckAsync("user:mallory");
        var sent = fake.Requests.Last(r => r.Path.EndsWith("/check", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(allowed.GetProperty("allowed").GetBoolean(), Is.True);
            Assert.That(allowed.GetProperty("source").GetString(), Is.EqualTo("openfga"));
            Assert.That(denied.GetProperty("reason").GetString(), Is.EqualTo(DecisionReasons.NoRelation));
            Assert.That(sent.Authorization, Is.EqualTo("Bearer fga-secret"));
        });
    }

    [Test]
    public async Task Failing_openfga_means_denied_with_policy_unavailable()
    {
        fake.Allowed["tool:echo#can_execute@user:dev-user"] = true;
        fake.Behaviour = FakeBehaviour.Fail;
        var answer = await CheckAsync("user:dev-user");
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.False);
            Assert.That(answer.GetProperty("reason").GetString(), Is.EqualTo(DecisionReasons.PolicyUnavailable));
        });
    }

    [Test]
    public async Task Silent_openfga_means_denied_with_timeout()
    {
        fake.Allowed["tool:echo#can_execute@user:dev-user"] = true;
        fake.Behaviour = FakeBehaviour.Hang;
        var answer = await CheckAsync("user:dev-user");
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.False);
            Assert.That(answer.GetProperty("reason").GetString(), Is.EqualTo(DecisionReasons.Timeout));
        });
    }

    [Test]
    public async Task Tenant_admin_may_not_write_tuples_into_the_shared_store_and_the_model_is_managed_there()
    {
        var tenant = await PolicyStack.NewTenantAsync("ofm");
        using var tenantClient = new HttpClient { BaseAddress = client.BaseAddress };
        tenantClient.DefaultRequestHeaders.Authorization = PolicyStack.Bearer(tenant.Key);
        using var write = await tenantClient.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/tuples", new
        {
            writes = new[] { new { user = "user:alice", relation = "executor", @object = "tool:echo" } },
        });
        using var model = await tenantClient.PutAsync($"/v1/tenants/{tenant.TenantId}/model", new StringContent(DefaultAuthorizationModel.Dsl));
        Assert.Multiple(() =>
        {
            Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(model.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        });
    }

    private async Task<JsonElement> CheckAsync(string user)
    {
        using var response = await client.PostAsJsonAsync("/v1/check", new { tenant_id = "dev", user, relation = "can_execute", @object = "tool:echo" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
