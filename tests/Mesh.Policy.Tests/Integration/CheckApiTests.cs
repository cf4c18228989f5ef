using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Mesh.Policy.Domain;
using Mesh.Policy.Options;
using Mesh.Testing;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Integration;

/// <summary>The mesh's /v1/check, the tenant model API and the development seed, against a running service.</summary>
[TestFixture]
public sealed class CheckApiTests
{
    [Test]
    public async Task Dev_actor_may_execute_every_built_in_tool_after_the_seed_and_nothing_else()
    {
        using var client = await PolicyStack.ClientAsync();
        foreach (var tool in DevBootstrapOptions.BuiltInTools)
        {
            var answer = await CheckAsync(client, "dev", "user:dev-user", "can_execute", $"tool:{tool}");
            Assert.Multiple(() =>
            {
                Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.True, tool);
                Assert.That(answer.GetProperty("reason").GetString(), Is.EqualTo(DecisionReasons.Allowed), tool);
            });
        }

        var unknownTool = await CheckAsync(client, "dev", "user:dev-user", "can_execute", "tool:rm.rf");
        var stranger = await CheckAsync(client, "dev", "user:mallory", "can_execute", "tool:echo");
        Assert.Multiple(() =>
        {
            Assert.That(unknownTool.GetProperty("allowed").GetBoolean(), Is.False);
            Assert.That(unknownTool.GetProperty("reason").GetString(), Is.EqualTo(DecisionReasons.NoRelation));
            Assert.That(stranger.GetProperty("allowed").GetBoolean(), Is.False);
            Assert.That(Guid.TryParse(stranger.GetProperty("decision_id").GetString(), out _), Is.True);
        });
    }

    [Test]
    public async Task Seed_run_again_by_a_second_instance_adds_no_model_and_no_tuple()
    {
        await PolicyStack.SecondInstanceAsync();
        var database = await PolicyStack.DatabaseAsync();
        await using var command = database.CreateCommand(
            """
            SELECT (SELECT count(*) FROM policy_models m WHERE m.store_id = s.store_id),
                   (SELECT count(*) FROM policy_tuples t WHERE t.store_id = s.store_id)
            FROM policy_tenant_stores s WHERE s.tenant_id = 'dev'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True, "the dev tenant has no store");
        Assert.Multiple(() =>
        {
            Assert.That(reader.GetInt64(0), Is.EqualTo(1));
            Assert.That(reader.GetInt64(1), Is.EqualTo(DevBootstrapOptions.BuiltInTools.Count + 1));
        });
    }

    [Test]
    public async Task Service_key_may_check_for_any_tenant_and_a_tenant_key_only_for_its_own()
    {
        var stack = await PolicyStack.GetAsync();
        var other = await PolicyStack.NewTenantAsync("oth", admin: false);
        using var service = await PolicyStack.ClientAsync(stack.ServiceKey);
        using var tenant = await PolicyStack.ClientAsync(other.Key);
        using var asService = await service.PostAsJsonAsync("/v1/check", Check("dev", "user:dev-user", "can_execute", "tool:echo"));
        using var asOther = await tenant.PostAsJsonAsync("/v1/check", Check("dev", "user:dev-user", "can_execute", "tool:echo"));
        using var ownTenant = await tenant.PostAsJsonAsync("/v1/check", Check(other.TenantId, "user:alice", "can_execute", "tool:echo"));
        var problem = await asOther.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(asService.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(asOther.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:policy:tenant-forbidden"));
            Assert.That(ownTenant.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [TestCase("""{"tenant_id":"dev","user":"user:dev-user","relation":"can_execute","object":"folder:1"}""", "unknown-type")]
    [TestCase("""{"tenant_id":"dev","user":"user:dev-user","relation":"can_delete","object":"tool:echo"}""", "unknown-relation")]
    [TestCase("""{"tenant_id":"dev","user":"user:dev-user","relation":"can_execute","object":"tool echo"}""", "invalid-object")]
    [TestCase("""{"tenant_id":"dev","user":"user:dev-user","relation":"can_execute","object":"tool:*"}""", "invalid-object")]
    [TestCase("""{"tenant_id":"dev","user":"dev-user","relation":"can_execute","object":"tool:echo"}""", "invalid-user")]
    [TestCase("""{"tenant_id":"dev","user":"user:dev-user","relation":"Can-Execute","object":"tool:echo"}""", "invalid-relation")]
    [TestCase("""{"user":"user:dev-user","relation":"can_execute","object":"tool:echo"}""", "invalid-request")]
    [TestCase("""{"tenant_id":"dev","user":"user:dev-user","relation":"can_execute","object":"tool:echo","contextual_tuples":[{"user":"x","relation":"member","object":"tenant:dev"}]}""", "invalid-tuple")]
    [TestCase("""{"tenant_id":"dev", "user": """, "invalid-request")]
    public async Task Bad_check_input_is_a_400_problem_with_a_stable_type(string body, string kind)
    {
        using var client = await PolicyStack.ClientAsync();
        using var response = await client.PostAsync("/v1/check", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo($"urn:mesh:problem:policy:{kind}"));
        });
    }

    [Test]
    public async Task Oversized_contextual_tuples_are_a_400_too_many_items()
    {
        using var client = await PolicyStack.ClientAsync();
        var contextual = Enumerable.Range(0, 101).Select(i => new { user = $"user:u{i}", relation = "member", @object = "tenant:dev" }).ToArray();
        using var response = await client.PostAsJsonAsync("/v1/check", new
        {
            tenant_id = "dev", user = "user:u1", relation = "can_execute", @object = "tool:echo", contextual_tuples = contextual,
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:policy:too-many-items"));
    }

    [Test]
    public async Task Contextual_tuples_count_as_if_written()
    {
        using var client = await PolicyStack.ClientAsync();
        using var response = await client.PostAsJsonAsync("/v1/check", new
        {
            tenant_id = "dev",
            user = "user:visitor",
            relation = "can_execute",
            @object = "tool:echo",
            contextual_tuples = new[] { new { user = "user:visitor", relation = "member", @object = "tenant:dev" } },
        });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Tenant_without_a_model_is_denied_with_reason_no_model()
    {
        var stack = await PolicyStack.GetAsync();
        var tenant = await PolicyStack.NewTenantAsync("nom");
        using var client = await PolicyStack.ClientAsync(stack.ServiceKey);
        var answer = await CheckAsync(client, tenant.TenantId, "user:alice", "can_execute", "tool:echo");
        Assert.Multiple(() =>
        {
            Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.False);
            Assert.That(answer.GetProperty("reason").GetString(), Is.EqualTo(DecisionReasons.NoModel));
        });
    }

    [Test]
    public async Task Tenant_model_is_taken_as_dsl_text_or_json_and_then_answers_checks()
    {
        var tenant = await PolicyStack.NewTenantAsync("mdl");
        var intruder = await PolicyStack.NewTenantAsync("int");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        using var intruderClient = await PolicyStack.ClientAsync(intruder.Key);
        using var asText = await client.PutAsync($"/v1/tenants/{tenant.TenantId}/model", new StringContent(DefaultAuthorizationModel.Dsl, Encoding.UTF8, "text/plain"));
        using var asJson = await client.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/model", new { dsl = DefaultAuthorizationModel.Dsl });
        using var invalid = await client.PutAsync($"/v1/tenants/{tenant.TenantId}/model", new StringContent("model\n  schema 1.1\ntype user\n  relations\n    define x: [nobody]\n", Encoding.UTF8, "text/plain"));
        using var foreign = await intruderClient.PutAsync($"/v1/tenants/{tenant.TenantId}/model", new StringContent(DefaultAuthorizationModel.Dsl, Encoding.UTF8, "text/plain"));
        using var written = await client.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/tuples", new
        {
            writes = new[] { new { user = "user:alice", relation = "executor", @object = "tool:echo" } },
        });
        var first = await asText.Content.ReadFromJsonAsync<JsonElement>();
        var second = await asJson.Content.ReadFromJsonAsync<JsonElement>();
        var invalidProblem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        var answer = await CheckAsync(client, tenant.TenantId, "user:alice", "can_execute", "tool:echo");
        var tuples = await client.GetFromJsonAsync<JsonElement>($"/v1/tenants/{tenant.TenantId}/tuples?object=tool:echo");
        var otherTenantAnswer = await CheckAsync(intruderClient, intruder.TenantId, "user:alice", "can_execute", "tool:echo");
        Assert.Multiple(() =>
        {
            Assert.That(asText.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(asJson.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.GetProperty("store_id").GetString(), Is.EqualTo(first.GetProperty("store_id").GetString()));
            Assert.That(second.GetProperty("authorization_model_id").GetString(), Is.Not.EqualTo(first.GetProperty("authorization_model_id").GetString()));
            Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(invalidProblem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:policy:invalid-model"));
            Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(written.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(answer.GetProperty("allowed").GetBoolean(), Is.True);
            Assert.That(tuples.GetProperty("tuples").GetArrayLength(), Is.EqualTo(1));
            Assert.That(otherTenantAnswer.GetProperty("allowed").GetBoolean(), Is.False);
        });
    }

    [Test]
    public async Task Decision_is_audited_in_postgres_and_published_on_policy_decisions()
    {
        var stack = await PolicyStack.GetAsync();
        using var client = await PolicyStack.ClientAsync();
        var requestId = Guid.NewGuid();
        using var response = await client.PostAsJsonAsync("/v1/check", new
        {
            tenant_id = "dev", user = "user:dev-user", relation = "can_execute", @object = "tool:clock.now", request_id = requestId,
        });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        var decisionId = answer.GetProperty("decision_id").GetGuid();

        var database = await PolicyStack.DatabaseAsync();
        (string Tenant, bool Allowed, string Reason, string Source, Guid? RequestId)? row = null;
        await Poll.UntilAsync(async () =>
        {
            await using var command = database.CreateCommand(
                "SELECT tenant_id, allowed, reason, source, request_id FROM policy_decisions WHERE decision_id = @id");
            command.Parameters.AddWithValue("id", decisionId);
            await using var reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                return false;
            }

            row = (reader.GetString(0), reader.GetBoolean(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetGuid(4));
            return true;
        }, TimeSpan.FromSeconds(10), "the decision's audit row");

        string? line = null;
        await Poll.UntilAsync(async () =>
        {
            var output = await Kcat.RunCheckedAsync(
                ["-b", stack.Kafka.BootstrapServers, "-C", "-t", stack.Kafka.Topic(MeshTopics.PolicyDecisions), "-o", "beginning", "-e", "-q", "-f", "%k\t%h\t%s\n"]);
            line = output.Split('\n').FirstOrDefault(l => l.Contains(decisionId.ToString("D"), StringComparison.Ordinal));
            return line is not null;
        }, TimeSpan.FromSeconds(20), "the decision on policy.decisions");

        var parts = line!.Split('\t', 3);
        var validation = MeshSchemas.Validate(MeshSchemas.PolicyDecision, parts[2]);
        using var published = JsonDocument.Parse(parts[2]);
        Assert.Multiple(() =>
        {
            Assert.That(row!.Value.Tenant, Is.EqualTo("dev"));
            Assert.That(row.Value.Allowed, Is.True);
            Assert.That(row.Value.Reason, Is.EqualTo(DecisionReasons.Allowed));
            Assert.That(row.Value.Source, Is.EqualTo("embedded"));
            Assert.That(row.Value.RequestId, Is.EqualTo(requestId));
            Assert.That(parts[0], Is.EqualTo("dev"), "the Kafka key is the tenant");
            Assert.That(parts[1], Does.Contain($"schema={MeshSchemas.PolicyDecision}"));
            Assert.That(parts[1], Does.Contain("tenant-id=dev"));
            Assert.That(validation.IsValid, Is.True, validation.ToString());
            Assert.That(published.RootElement.GetProperty("object").GetString(), Is.EqualTo("tool:clock.now"));
        });
    }

    [Test]
    public async Task Decisions_are_counted_and_timed_in_the_metrics()
    {
        var stack = await PolicyStack.GetAsync();
        using var client = await PolicyStack.ClientAsync();
        await CheckAsync(client, "dev", "user:dev-user", "can_execute", "tool:echo");
        await CheckAsync(client, "dev", "user:nobody", "can_execute", "tool:echo");
        var metrics = await stack.Services["policy"].Http.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Match(@"mesh_policy_decisions_total\{[^}]*decision=""allowed""[^}]*relation=""can_execute""[^}]*\} [1-9]"));
            Assert.That(metrics, Does.Match(@"mesh_policy_decisions_total\{[^}]*decision=""denied""[^}]*relation=""can_execute""[^}]*\} [1-9]"));
            Assert.That(metrics, Does.Contain("mesh_policy_decision_duration_seconds_bucket"));
            Assert.That(metrics, Does.Not.Contain("user=").And.Not.Contain("dev-user"));
        });
    }

    private static object Check(string tenant, string user, string relation, string target) =>
        new { tenant_id = tenant, user, relation, @object = target };

    private static async Task<JsonElement> CheckAsync(HttpClient client, string tenant, string user, string relation, string target)
    {
        using var response = await client.PostAsJsonAsync("/v1/check", Check(tenant, user, relation, target));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
