using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>Executions through the real mesh: planning, child sessions, aggregation, receipts, isolation, metrics.</summary>
[TestFixture]
public sealed class ExecutionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    // Canonical JSON escapes only what JSON requires; the relaxed encoder does the same for these ASCII results.
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Test]
    public async Task Compound_goal_runs_its_sub_tasks_as_child_sessions_and_completes_with_a_valid_receipt()
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = "1. What is 6 times 7?\n2. What is 12 plus 30?", metadata = new { ticket = "T-1" } });

        var status = await Api.WaitForEndAsync(client, id, Timeout);
        var detail = await Api.DetailAsync(client, id);
        var work = Api.WorkTasks(detail);
        var sessions = work.Select(Api.Session).ToList();
        var inbound = await Api.MessagesAsync("conversation.inbound", sessions);
        var receipt = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");
        using var verify = await client.PostAsJsonAsync("/v1/receipts/verify", new { execution_id = id });
        var verdict = await verify.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("completed"), status.ToString());
            Assert.That(status.GetProperty("job_state").GetString(), Is.EqualTo("completed"));
            Assert.That(work, Has.Count.EqualTo(2));
            Assert.That(work.Select(t => t.GetProperty("status").GetString()), Is.All.EqualTo("completed"));
            Assert.That(work.Select(t => t.GetProperty("depth").GetInt32()), Is.All.EqualTo(1));
            Assert.That(sessions.Distinct().Count(), Is.EqualTo(2), "each sub-task has a child session of its own");
            Assert.That(inbound.Select(m => m.GetProperty("metadata").GetProperty("execution_id").GetGuid()), Is.All.EqualTo(id));
            Assert.That(inbound.Select(m => m.GetProperty("metadata").GetProperty("task_id").GetGuid()),
                Is.EquivalentTo(work.Select(t => t.GetProperty("task_id").GetGuid())));
            Assert.That(inbound.Select(m => m.GetProperty("actor_id").GetString()), Is.All.EqualTo("dev-user"));
            Assert.That(detail.GetProperty("result").GetString(), Does.Contain("1. What is 6 times 7?").And.Contain("2. What is 12 plus 30?"));
            Assert.That(detail.GetProperty("statistics").GetProperty("child_sessions").GetInt32(), Is.EqualTo(2));
            Assert.That(detail.GetProperty("intent").GetProperty("digest").GetString(), Has.Length.EqualTo(64));
            Assert.That(receipt.GetProperty("inputs").GetProperty("status").GetString(), Is.EqualTo("completed"));
            Assert.That(receipt.GetProperty("inputs").GetProperty("result_digest").GetString(), Is.EqualTo(Sha256(JsonSerializer.Serialize(detail.GetProperty("result").GetString(), Relaxed))));
            Assert.That(verdict.GetProperty("valid").GetBoolean(), Is.True, verdict.ToString());
        });
    }

    [Test]
    public async Task Receipt_digest_and_signature_check_out_with_only_the_published_public_key()
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = "What is 2 plus 2?", config_profile = "strict", max_depth = 1 });
        await Api.WaitForEndAsync(client, id, Timeout);

        var receipt = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");
        var key = await Api.GetAsync(client, "/v1/receipts/public-key");
        var canonical = receipt.GetProperty("canonical_inputs").GetString()!;
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(key.GetProperty("public_key_pem").GetString());
        var signature = Convert.FromBase64String(receipt.GetProperty("signature").GetProperty("value").GetString()!);

        Assert.Multiple(() =>
        {
            Assert.That(canonical, Does.StartWith("{\"actor_id\":\"dev-user\",\"config_profile\":\"strict\",\"execution_id\":\"" + id + "\",\"max_depth\":1,"));
            Assert.That(receipt.GetProperty("digest").GetString(), Is.EqualTo(Sha256(canonical)));
            Assert.That(publicKey.VerifyData(Encoding.UTF8.GetBytes(canonical), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
            Assert.That(receipt.GetProperty("signature").GetProperty("key_id").GetString(), Is.EqualTo(key.GetProperty("key_id").GetString()));
        });
    }

    [Test]
    public async Task Tampering_with_a_stored_execution_or_receipt_is_detected()
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = "What is 3 times 3?" });
        await Api.WaitForEndAsync(client, id, Timeout);
        var before = await VerifyAsync(client, new { execution_id = id });
        var presented = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");

        var database = await DelegationStack.DatabaseAsync();
        await using (var edit = database.CreateCommand("UPDATE delegation_executions SET result = result || ' (edited)' WHERE id = @id"))
        {
            edit.Parameters.AddWithValue("id", id);
            await edit.ExecuteNonQueryAsync();
        }

        var afterResult = await VerifyAsync(client, new { execution_id = id });
        var presentedAfter = await VerifyAsync(client, new
        {
            inputs = presented.GetProperty("inputs"),
            digest = presented.GetProperty("digest").GetString(),
            signature = presented.GetProperty("signature").GetProperty("value").GetString(),
        });
        await using (var edit = database.CreateCommand("UPDATE delegation_receipts SET inputs = replace(inputs, '\"completed\"', '\"failed\"') WHERE execution_id = @id"))
        {
            edit.Parameters.AddWithValue("id", id);
            await edit.ExecuteNonQueryAsync();
        }

        var afterReceipt = await VerifyAsync(client, new { execution_id = id });

        Assert.Multiple(() =>
        {
            Assert.That(before.GetProperty("result").GetString(), Is.EqualTo("valid"), before.ToString());
            Assert.That(afterResult.GetProperty("result").GetString(), Is.EqualTo("invalid"));
            Assert.That(afterResult.GetProperty("checks").GetProperty("records").GetBoolean(), Is.False);
            Assert.That(afterResult.GetProperty("checks").GetProperty("signature").GetBoolean(), Is.True);
            Assert.That(presentedAfter.GetProperty("valid").GetBoolean(), Is.False, "a presented receipt is checked against the records too");
            Assert.That(afterReceipt.GetProperty("checks").GetProperty("digest").GetBoolean(), Is.False);
            Assert.That(afterReceipt.GetProperty("checks").GetProperty("signature").GetBoolean(), Is.False);
        });
    }

    [Test]
    public async Task Another_tenant_sees_none_of_the_executions_and_the_list_filters_by_status()
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = "What is 5 plus 5?" });
        await Api.WaitForEndAsync(client, id, Timeout);
        var other = await DelegationStack.NewTenantAsync("dlg");
        using var otherClient = await DelegationStack.ClientAsync(other.Key);

        using var foreign = await otherClient.GetAsync($"/v1/executions/{id}");
        using var foreignCancel = await otherClient.PostAsync($"/v1/executions/{id}/cancel", null);
        using var foreignReceipt = await otherClient.GetAsync($"/v1/executions/{id}/receipt");
        var otherList = await Api.GetAsync(otherClient, "/v1/executions");
        var completed = await Api.GetAsync(client, "/v1/executions?status=completed&limit=100");
        var failed = await Api.GetAsync(client, "/v1/executions?status=failed&limit=100");
        var firstPage = await Api.GetAsync(client, "/v1/executions?limit=1");
        var secondPage = await Api.GetAsync(client, $"/v1/executions?limit=1&cursor={firstPage.GetProperty("next_cursor").GetString()}");
        using var badStatus = await client.GetAsync("/v1/executions?status=done");

        Assert.Multiple(() =>
        {
            Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(foreignCancel.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(foreignReceipt.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(otherList.GetProperty("executions").GetArrayLength(), Is.Zero);
            Assert.That(Ids(completed), Does.Contain(id));
            Assert.That(Ids(failed), Does.Not.Contain(id));
            Assert.That(firstPage.GetProperty("executions").GetArrayLength(), Is.EqualTo(1));
            Assert.That(firstPage.GetProperty("next_cursor").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(Ids(secondPage).Single(), Is.LessThan(Ids(firstPage).Single()), "the next page holds older executions");
            Assert.That(badStatus.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task Invalid_requests_are_refused_with_problem_details()
    {
        using var client = await DelegationStack.ClientAsync();
        using var noGoal = await client.PostAsJsonAsync("/v1/executions", new { max_depth = 1 });
        using var tooDeep = await client.PostAsJsonAsync("/v1/executions", new { goal = "x", max_depth = 99 });
        using var unknownProfile = await client.PostAsJsonAsync("/v1/executions", new { goal = "x", config_profile = "nope" });
        using var impersonation = await client.PostAsJsonAsync("/v1/executions", new { goal = "x", on_behalf_of = new { tenant_id = "acme", actor_id = "bob" } });
        var problem = await noGoal.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Multiple(() =>
        {
            Assert.That(noGoal.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noGoal.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:delegation:invalid-request"));
            Assert.That(tooDeep.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unknownProfile.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(impersonation.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "only service keys act on behalf of others");
        });
    }

    [Test]
    public async Task Metrics_report_executions_by_status_tasks_in_flight_duration_and_depth()
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = "Summarize the word cat and list three rhymes of dog" });
        await Api.WaitForEndAsync(client, id, Timeout);
        var stack = await DelegationStack.GetAsync();

        var metrics = await stack.Services["delegation"].Http.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Match("mesh_delegation_executions_total\\{[^}]*status=\"completed\""));
            Assert.That(metrics, Does.Contain("mesh_delegation_tasks_in_flight"));
            Assert.That(metrics, Does.Match("mesh_delegation_execution_duration_seconds_bucket\\{[^}]*status=\"completed\""));
            Assert.That(metrics, Does.Match("mesh_delegation_task_depth_bucket\\{[^}]*le=\"1\"\\} [1-9]"));
        });
    }

    private static async Task<JsonElement> VerifyAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/v1/receipts/verify", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static List<Guid> Ids(JsonElement page) =>
        [.. page.GetProperty("executions").EnumerateArray().Select(e => e.GetProperty("execution_id").GetGuid())];

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
