using System.Text.Json;
using Dapper;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Execution;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>The invocation records and leases against the stack's PostgreSQL and Redis, many requests at once.</summary>
[TestFixture, Order(2)]
public sealed class InvocationRecordTests
{
    private ExecutorStack stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => stack = await ExecutorStack.GetAsync();

    [Test]
    public async Task Concurrent_claims_and_finishes_each_get_their_own_answer_and_one_audit_row()
    {
        await using var store = new InvocationStore(stack.Database);
        var requests = Enumerable.Range(0, 300).Select(i => ToolRequests.Create("echo", new { text = $"record {i}" })).ToList();

        var claims = await Task.WhenAll(requests.Select(r => store.ClaimAsync(r, "records-test", CancellationToken.None)));
        var again = await Task.WhenAll(requests.Select(r => store.ClaimAsync(r, "records-test", CancellationToken.None)));
        var recorded = await Task.WhenAll(requests.Select(r => store.FinishAsync(r, Result(r, "first"), Audit(r), CancellationToken.None)));
        var later = await Task.WhenAll(requests.Select(r => store.FinishAsync(r, Result(r, "second"), Audit(r), CancellationToken.None)));

        var ids = requests.Select(r => r.RequestId).ToArray();
        await using var connection = await stack.Database.OpenConnectionAsync();
        var audits = (await connection.QueryAsync<(Guid RequestId, long Count)>(
            "SELECT request_id, count(*) FROM tool_audit WHERE request_id = ANY(@ids) GROUP BY request_id", new { ids })).ToList();
        var deliveries = (await connection.QueryAsync<int>("SELECT deliveries FROM tool_invocations WHERE request_id = ANY(@ids)", new { ids })).ToList();
        var claimedWhenDone = await store.ClaimAsync(requests[0], "records-test", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(claims.Select(c => c.State), Has.All.EqualTo(RecordState.New));
            Assert.That(again.Select(c => c.State), Has.All.EqualTo(RecordState.Unfinished));
            Assert.That(recorded.Select(r => r.RequestId), Is.EqualTo(ids), "each caller got its own request's result");
            Assert.That(recorded.Select(Text), Has.All.EqualTo("first"));
            Assert.That(later.Select(Text), Has.All.EqualTo("first"), "a later finish gets the recorded result back");
            Assert.That(later.Select(r => MeshJson.Serialize(r)), Is.EqualTo(recorded.Select(r => MeshJson.Serialize(r))));
            Assert.That(claimedWhenDone.State, Is.EqualTo(RecordState.Finished));
            Assert.That(claimedWhenDone.Recorded?.RequestId, Is.EqualTo(requests[0].RequestId));
            Assert.That(audits, Has.Count.EqualTo(requests.Count));
            Assert.That(audits.Select(a => a.Count), Has.All.EqualTo(1));
            Assert.That(deliveries, Has.Count.EqualTo(requests.Count).And.All.EqualTo(2));
        });
    }

    [Test]
    public async Task A_lease_is_taken_once_and_released_only_by_its_holder()
    {
        var leases = new InvocationLeases(stack.Redis);
        var request = Guid.NewGuid();
        var key = InvocationLeases.Key(request);

        var taken = await leases.TryAcquireAsync(request, "holder", TimeSpan.FromMinutes(1));
        var takenTwice = await leases.TryAcquireAsync(request, "other", TimeSpan.FromMinutes(1));
        await leases.ReleaseAsync(request, "other");
        var afterForeignRelease = (string?)await stack.Redis.Database.StringGetAsync(key);
        await leases.ReleaseAsync(request, "holder");
        await Poll.UntilAsync(async () => !await stack.Redis.Database.KeyExistsAsync(key), TimeSpan.FromSeconds(10), "the holder's release");
        var takenAfterRelease = await leases.TryAcquireAsync(request, "other", TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(taken, Is.True);
            Assert.That(takenTwice, Is.False);
            Assert.That(afterForeignRelease, Is.EqualTo("holder"), "only the holder releases");
            Assert.That(takenAfterRelease, Is.True);
        });
    }

    private static ToolResult Result(ToolRequest request, string text) => new(
        request.RequestId, request.SessionId, request.TurnId, request.CallIndex, request.TenantId, request.Tool, ToolResultStatus.Succeeded,
        Truncated: false, FromCache: false, DurationMs: 1, "records-test", DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { text }),
        PolicyDecisionId: Guid.NewGuid());

    private static AuditEntry Audit(ToolRequest request) => new(request.PersonaId, request.ActorId, new string('0', 64));

    private static string? Text(ToolResult result) => result.Output?.GetProperty("text").GetString();
}
