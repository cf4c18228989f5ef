using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>Executions of the <c>research</c> profile forwarded to a ROMA-compatible executor (<see cref="FakeRoma"/>, over HTTP).</summary>
[TestFixture]
public sealed class RomaTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Test]
    public async Task Forwarded_execution_completes_with_the_external_result_and_its_external_id_in_the_receipt()
    {
        using var client = await DelegationStack.ClientAsync();
        var goal = $"Research tide tables {Guid.NewGuid():N}";
        var id = await Api.StartAsync(client, new { goal, config_profile = DelegationStack.RomaProfile, max_depth = 3, metadata = new { topic = "tides" } });

        var status = await Api.WaitForEndAsync(client, id, Timeout);
        var detail = await Api.DetailAsync(client, id);
        var receipt = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");
        using var verify = await client.PostAsJsonAsync("/v1/receipts/verify", new { execution_id = id });
        var verdict = await verify.Content.ReadFromJsonAsync<JsonElement>();
        var externalId = detail.GetProperty("executor").GetProperty("external_id").GetString();
        var submit = DelegationStack.Roma.Requests.Single(r => r.Method == "POST" && r.Path == "/api/v1/executions" && r.Body?["goal"]?.GetValue<string>() == goal);

        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("completed"), detail.ToString());
            Assert.That(detail.GetProperty("executor").GetProperty("kind").GetString(), Is.EqualTo("roma"));
            Assert.That(detail.GetProperty("result").GetString(), Is.EqualTo("ROMA result for: " + goal));
            Assert.That(receipt.GetProperty("inputs").GetProperty("external_execution_id").GetString(), Is.EqualTo(externalId));
            Assert.That(verdict.GetProperty("valid").GetBoolean(), Is.True, verdict.ToString());
            Assert.That(submit.Authorization, Is.EqualTo("Bearer " + FakeRoma.Key));
            Assert.That(submit.Body!["max_depth"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(submit.Body["config_profile"]!.GetValue<string>(), Is.EqualTo(DelegationStack.RomaProfile));
            Assert.That(submit.Body["metadata"]!["topic"]!.GetValue<string>(), Is.EqualTo("tides"));
            Assert.That(submit.Body["metadata"]!["mesh_execution_id"]!.GetValue<string>(), Is.EqualTo(id.ToString("D")));
            Assert.That(DelegationStack.Roma.Requests.Count(r => r.Path == $"/api/v1/executions/{externalId}/status"), Is.GreaterThanOrEqualTo(3));
        });
    }

    [TestCase("[unauthorized]", "external_auth_failed")]
    [TestCase("[slow]", "external_timeout")]
    public async Task Forwarded_execution_fails_closed(string marker, string code)
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = $"Research {marker} {Guid.NewGuid():N}", config_profile = DelegationStack.RomaProfile });

        var status = await Api.WaitForEndAsync(client, id, Timeout);
        var receipt = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");

        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("status").GetString(), Is.EqualTo("failed"), status.ToString());
            Assert.That(status.GetProperty("error").GetProperty("code").GetString(), Is.EqualTo(code), status.ToString());
            Assert.That(status.GetProperty("result").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(receipt.GetProperty("inputs").GetProperty("status").GetString(), Is.EqualTo("failed"));
        });
    }

    [Test]
    public async Task Cancelling_a_forwarded_execution_cancels_it_remotely()
    {
        using var client = await DelegationStack.ClientAsync();
        var id = await Api.StartAsync(client, new { goal = $"Research [wait-cancel] {Guid.NewGuid():N}", config_profile = DelegationStack.RomaProfile });
        string? externalId = null;
        await Poll.UntilAsync(async () =>
        {
            var detail = await Api.DetailAsync(client, id);
            externalId = detail.GetProperty("executor").GetProperty("external_id").GetString();
            return detail.GetProperty("status").GetString() == "running" && externalId is not null;
        }, Timeout, "the execution to run remotely");

        using var cancel = await client.PostAsync($"/v1/executions/{id}/cancel", null);
        var ended = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        var receipt = await Api.GetAsync(client, $"/v1/executions/{id}/receipt");

        Assert.Multiple(() =>
        {
            Assert.That(ended.GetProperty("status").GetString(), Is.EqualTo("cancelled"));
            Assert.That(DelegationStack.Roma.Requests.Any(r => r.Method == "POST" && r.Path == $"/api/v1/executions/{externalId}/cancel"), Is.True);
            Assert.That(receipt.GetProperty("inputs").GetProperty("external_execution_id").GetString(), Is.EqualTo(externalId));
        });
    }
}
