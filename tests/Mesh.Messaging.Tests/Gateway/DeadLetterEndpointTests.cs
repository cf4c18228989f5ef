using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Serialization;
using Mesh.Infra.Auth;
using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Gateway;

/// <summary>
/// The gateway's dead-letter endpoints against a real stack: PostgreSQL, Redis, the embedded Kafka cluster and the
/// gateway process. Dead letters are made by a consumer of tool.requests whose handler rejects chosen requests.
/// </summary>
public sealed class DeadLetterEndpointTests
{
    private const string Topic = MeshTopics.ToolRequests;
    private const string DevTenant = "dev";

    private readonly ConcurrentDictionary<Guid, bool> rejected = new();
    private MeshStack stack = null!;
    private ConsumerHarness consumer = null!;
    private MeshPublisher publisher = null!;
    private NpgsqlDataSource database = null!;
    private HttpClient admin = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        stack = await MeshStack.StartAsync("gateway");
        var probe = new HandlerProbe
        {
            Behaviour = (context, _) => rejected.ContainsKey(context.Message.RequestId)
                ? throw new PermanentMessageException("Rejected by the test.", "RejectedByTest")
                : Task.CompletedTask,
        };
        consumer = await ConsumerHarness.StartAsync(stack.Kafka.BootstrapServers, Topic, probe);
        publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = stack.Kafka.BootstrapServers });
        database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        admin = stack.Client("gateway");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        admin?.Dispose();
        publisher?.Dispose();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        if (consumer is not null)
        {
            await consumer.DisposeAsync();
        }

        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    [Test]
    public async Task Replayed_dead_letter_reaches_the_handler_again_marked_with_where_it_came_from()
    {
        var (request, published, letter) = await DeadLetterAsync();
        rejected.TryRemove(request.RequestId, out _);

        using var response = await admin.PostAsync($"/v1/admin/dlq/{Topic}/{letter.Id}/replay?reason=fixed", null);
        var body = await JsonAsync(response);
        await Poll.UntilAsync(() => consumer.Probe.Handled.Any(h => h.Context.Message.RequestId == request.RequestId), TimeSpan.FromSeconds(20), "the replayed request");

        var handled = consumer.Probe.Handled.Single(h => h.Context.Message.RequestId == request.RequestId).Context;
        var audit = await AuditAsync(letter.Id);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("replayed_to").GetString(), Is.EqualTo(Topic));
            Assert.That(letter.ErrorType, Is.EqualTo("RejectedByTest"));
            Assert.That(letter.SourceTopic, Is.EqualTo(Topic));
            Assert.That((letter.SourcePartition, letter.SourceOffset), Is.EqualTo((published.Partition, published.Offset)));
            Assert.That(letter.Attempt, Is.EqualTo(1));
            Assert.That(handled.Headers[MeshHeaders.ReplayedFrom], Is.EqualTo($"{Topic}.dlq/{letter.Id}"));
            Assert.That(handled.MessageId, Is.EqualTo(published.MessageId.ToString()), "the original headers are replayed");
            Assert.That(handled.Headers.Keys, Has.None.AnyOf(MeshHeaders.ErrorType, MeshHeaders.SourceOffset, MeshHeaders.Attempt));
            Assert.That(MeshJson.Serialize(handled.Message), Is.EqualTo(MeshJson.Serialize(request)));
            Assert.That(audit, Has.Count.EqualTo(1));
            Assert.That(audit[0].Action, Is.EqualTo("replay"));
            Assert.That(audit[0].Actor, Is.EqualTo("dev-user"));
            Assert.That(audit[0].Tenant, Is.EqualTo(DevTenant));
            Assert.That(audit[0].Reason, Is.EqualTo("fixed"));
            Assert.That(audit[0].Result, Does.StartWith($"replayed to {Topic} partition {body.GetProperty("partition").GetInt32()}"));
        });
    }

    [Test]
    public async Task Discarded_dead_letter_is_hidden_from_listings_and_cannot_be_replayed_or_discarded_again()
    {
        var (_, _, letter) = await DeadLetterAsync();

        using var discard = await admin.DeleteAsync($"/v1/admin/dlq/{Topic}/{letter.Id}?reason=duplicate");
        var listed = await ListAllAsync(admin);
        using var replay = await admin.PostAsync($"/v1/admin/dlq/{Topic}/{letter.Id}/replay", null);
        using var again = await admin.DeleteAsync($"/v1/admin/dlq/{Topic}/{letter.Id}");
        var audit = await AuditAsync(letter.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(discard.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(listed.Select(l => l.Id), Does.Not.Contain(letter.Id));
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That((await JsonAsync(replay)).GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:dead-letter-not-found"));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(audit.Select(a => (a.Action, a.Reason)), Is.EqualTo(new[] { ("discard", (string?)"duplicate") }));
        });
    }

    [Test]
    public async Task Listing_pages_through_dead_letters_in_order_without_bodies()
    {
        var letters = new List<Letter>();
        for (var i = 0; i < 3; i++)
        {
            letters.Add((await DeadLetterAsync()).Letter);
        }

        var pages = new List<JsonElement>();
        string? after = null;
        do
        {
            using var response = await admin.GetAsync($"/v1/admin/dlq/{Topic}?limit=1" + (after is null ? "" : "&after=" + after));
            var page = await JsonAsync(response);
            pages.Add(page);
            after = page.GetProperty("next_after").GetString();
        }
        while (after is not null && pages.Count < 100);

        var ids = pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(pages.All(p => p.GetProperty("items").GetArrayLength() <= 1), Is.True);
            Assert.That(ids, Is.Unique);
            Assert.That(ids.Where(id => letters.Any(l => l.Id == id)), Is.EqualTo(letters.Select(l => l.Id)));
            Assert.That(pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Any(i => i.TryGetProperty("value", out _)), Is.False);
        });
    }

    [Test]
    public async Task Inspecting_a_dead_letter_shows_its_body_and_is_audited()
    {
        var (request, _, letter) = await DeadLetterAsync();

        using var response = await admin.GetAsync($"/v1/admin/dlq/{Topic}/{letter.Id}");
        var body = await JsonAsync(response);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("value").GetString(), Is.EqualTo(MeshJson.Serialize(request)));
            Assert.That(body.GetProperty("headers").GetProperty(MeshHeaders.ErrorType).GetString(), Is.EqualTo("RejectedByTest"));
            Assert.That((await AuditAsync(letter.Id)).Select(a => a.Action), Is.EqualTo(new[] { "inspect" }));
        });
    }

    [Test]
    public async Task Tenant_admin_sees_only_its_tenants_dead_letters_and_a_service_key_sees_all()
    {
        var (_, _, mine) = await DeadLetterAsync();
        var (_, _, theirs) = await DeadLetterAsync(tenant: "other-tenant", lookWith: stack.ServiceKey);
        using var service = stack.Client("gateway", stack.ServiceKey);

        var adminSees = (await ListAllAsync(admin)).Select(l => l.Id).ToList();
        var serviceSees = (await ListAllAsync(service)).Select(l => l.Id).ToList();
        using var replay = await admin.PostAsync($"/v1/admin/dlq/{Topic}/{theirs.Id}/replay", null);

        Assert.Multiple(() =>
        {
            Assert.That(adminSees, Does.Contain(mine.Id).And.Not.Contain(theirs.Id));
            Assert.That(serviceSees, Does.Contain(mine.Id).And.Contain(theirs.Id));
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [TestCase("GET", "/v1/admin/dlq/not.a.topic", "urn:mesh:problem:unknown-topic")]
    [TestCase("GET", "/v1/admin/dlq/tool.requests.dlq", "urn:mesh:problem:unknown-topic")]
    [TestCase("POST", "/v1/admin/dlq/secrets/0-0/replay", "urn:mesh:problem:unknown-topic")]
    [TestCase("DELETE", "/v1/admin/dlq/tool.requests/zero", "urn:mesh:problem:invalid-dead-letter-id")]
    [TestCase("GET", "/v1/admin/dlq/tool.requests?limit=0", "urn:mesh:problem:invalid-request")]
    [TestCase("GET", "/v1/admin/dlq/tool.requests?after=1", "urn:mesh:problem:invalid-dead-letter-id")]
    public async Task Malformed_request_is_refused_with_a_stable_problem_type(string method, string path, string type)
    {
        using var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That((await JsonAsync(response)).GetProperty("type").GetString(), Is.EqualTo(type));
        });
    }

    [Test]
    public async Task Unknown_dead_letter_is_not_found()
    {
        using var response = await admin.PostAsync($"/v1/admin/dlq/{Topic}/0-999999/replay", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Key_without_admin_rights_is_forbidden()
    {
        var keys = new ApiKeyStore(database, new MemoryCache(new MemoryCacheOptions()), TimeProvider.System);
        var viewer = await keys.IssueAsync(DevTenant, "viewer", isAdmin: false, isService: false, expiresAt: null, "dead-letter test", CancellationToken.None);
        using var client = stack.Client("gateway", viewer.Key);

        using var list = await client.GetAsync($"/v1/admin/dlq/{Topic}");
        using var replay = await client.PostAsync($"/v1/admin/dlq/{Topic}/0-0/replay", null);
        using var anonymous = await stack.Services["gateway"].Http.GetAsync($"/v1/admin/dlq/{Topic}");

        Assert.Multiple(() =>
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    /// <summary>Publishes a tool request its handler rejects and waits until the gateway lists its dead letter.</summary>
    private async Task<(Contracts.Tools.ToolRequest Request, PublishedMessage Published, Letter Letter)> DeadLetterAsync(string tenant = DevTenant, string? lookWith = null)
    {
        var request = Messages.ToolRequest(tenant: tenant);
        rejected[request.RequestId] = true;
        var published = await publisher.PublishAsync(Topic, request.SessionId.ToString(), request, Messages.Context(request));
        using var client = lookWith is null ? null : stack.Client("gateway", lookWith);
        Letter? letter = null;
        await Poll.UntilAsync(async () =>
        {
            letter = (await ListAllAsync(client ?? admin)).SingleOrDefault(l => l.MessageId == published.MessageId.ToString());
            return letter is not null;
        }, TimeSpan.FromSeconds(20), "the dead letter to be listed");
        return (request, published, letter!);
    }

    private static async Task<List<Letter>> ListAllAsync(HttpClient client)
    {
        var letters = new List<Letter>();
        string? after = null;
        do
        {
            using var response = await client.GetAsync($"/v1/admin/dlq/{Topic}?limit=500" + (after is null ? "" : "&after=" + after));
            response.EnsureSuccessStatusCode();
            var page = await JsonAsync(response);
            letters.AddRange(page.GetProperty("items").EnumerateArray().Select(Letter.From));
            after = page.GetProperty("next_after").GetString();
        }
        while (after is not null);

        return letters;
    }

    private async Task<List<(string Action, string Actor, string Tenant, string? Reason, string Result)>> AuditAsync(string dlqId)
    {
        await using var command = database.CreateCommand(
            "SELECT action, actor, tenant_id, reason, result FROM dead_letter_actions WHERE topic = @topic AND dlq_id = @id ORDER BY id");
        command.Parameters.AddWithValue("topic", Topic);
        command.Parameters.AddWithValue("id", dlqId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string?, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
        }

        return rows;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());

    /// <summary>A listed dead letter.</summary>
    private sealed record Letter(string Id, string? MessageId, string? ErrorType, string? SourceTopic, int? SourcePartition, long? SourceOffset, int? Attempt)
    {
        public static Letter From(JsonElement item) => new(
            item.GetProperty("id").GetString()!,
            item.GetProperty("message_id").GetString(),
            item.GetProperty("error_type").GetString(),
            item.GetProperty("source_topic").GetString(),
            item.GetProperty("source_partition").GetInt32(),
            item.GetProperty("source_offset").GetInt64(),
            item.GetProperty("attempt").GetInt32());
    }
}
