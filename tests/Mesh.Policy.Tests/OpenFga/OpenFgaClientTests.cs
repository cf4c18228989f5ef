using System.Diagnostics;
using System.Net;
using Mesh.Policy.Domain;
using Mesh.Policy.OpenFga;
using Mesh.Policy.Storage;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Policy.Tests.OpenFga;

/// <summary>The typed OpenFGA client against a fake server that follows OpenFGA's request and response bodies.</summary>
[TestFixture]
public sealed class OpenFgaClientTests
{
    private const string StoreId = "01JBX3P0Q8ZK7M3N9V2C4D6E8F";
    private const string ModelId = "01JBX3P0Q8ZK7M3N9V2C4D6E8G";
    private FakeOpenFgaServer fake = null!;

    [SetUp]
    public async Task StartFakeAsync() => fake = await FakeOpenFgaServer.StartAsync();

    [TearDown]
    public async Task StopFakeAsync() => await fake.DisposeAsync();

    [Test]
    public async Task Check_sends_openfga_body_with_bearer_token_and_reads_the_answer()
    {
        fake.Allowed["tool:echo#can_execute@user:anne"] = true;
        var client = Client();
        var allowed = await client.CheckAsync(StoreId, ModelId,
            new CheckRequest(new TupleKey("tool:echo", "can_execute", "user:anne"), [new TupleKey("tenant:dev", "member", "user:anne")]), CancellationToken.None);
        var denied = await client.CheckAsync(StoreId, ModelId, new CheckRequest(new TupleKey("tool:echo", "can_execute", "user:bob")), CancellationToken.None);
        var request = fake.Requests.First();
        Assert.Multiple(() =>
        {
            Assert.That(allowed.Allowed, Is.True);
            Assert.That(denied.Allowed, Is.False);
            Assert.That(request.Method, Is.EqualTo("POST"));
            Assert.That(request.Path, Is.EqualTo($"/stores/{StoreId}/check"));
            Assert.That(request.Authorization, Is.EqualTo("Bearer secret-token"));
            Assert.That(request.Body!["tuple_key"]!["object"]!.GetValue<string>(), Is.EqualTo("tool:echo"));
            Assert.That(request.Body["authorization_model_id"]!.GetValue<string>(), Is.EqualTo(ModelId));
            Assert.That(request.Body["contextual_tuples"]!["tuple_keys"]![0]!["user"]!.GetValue<string>(), Is.EqualTo("user:anne"));
        });
    }

    [Test]
    public async Task Write_sends_writes_and_deletes_with_their_conflict_modes()
    {
        await Client().WriteAsync(StoreId, ModelId,
            [new TupleKey("tool:echo", "executor", "user:anne")], [new TupleKey("tool:echo", "executor", "user:bob")],
            ignoreDuplicates: true, ignoreMissing: false, CancellationToken.None);
        var body = fake.Requests.Single().Body!;
        Assert.Multiple(() =>
        {
            Assert.That(body["writes"]!["tuple_keys"]![0]!["user"]!.GetValue<string>(), Is.EqualTo("user:anne"));
            Assert.That(body["writes"]!["on_duplicate"]!.GetValue<string>(), Is.EqualTo("ignore"));
            Assert.That(body["deletes"]!["tuple_keys"]![0]!["user"]!.GetValue<string>(), Is.EqualTo("user:bob"));
            Assert.That(body["deletes"]!["on_missing"]!.GetValue<string>(), Is.EqualTo("error"));
        });
    }

    [Test]
    public async Task Read_list_objects_and_list_users_map_openfga_answers()
    {
        var client = Client();
        var page = await client.ReadAsync(StoreId, new TupleFilter("tool:echo", null, null), 10, null, CancellationToken.None);
        var objects = await client.ListObjectsAsync(StoreId, ModelId, new ListObjectsRequest("tool", "can_execute", "user:anne"), CancellationToken.None);
        var users = await client.ListUsersAsync(StoreId, ModelId, new ListUsersRequest("tool:echo", "can_execute", [new UserTypeFilter("user")]), CancellationToken.None);
        var listUsersBody = fake.Requests.Last().Body!;
        Assert.Multiple(() =>
        {
            Assert.That(page.Tuples.Single().Key.ToKey(), Is.EqualTo(new TupleKey("tool:echo", "executor", "user:anne")));
            Assert.That(page.Tuples.Single().Timestamp, Is.EqualTo(new DateTime(2025, 2, 3, 4, 5, 6, DateTimeKind.Utc)));
            Assert.That(page.ContinuationToken, Is.EqualTo("next-page"));
            Assert.That(objects, Is.EqualTo(new[] { "tool:echo", "tool:clock.now" }));
            Assert.That(users, Is.EqualTo(new[] { "user:anne", "tenant:dev#member", "user:*" }));
            Assert.That(listUsersBody["object"]!["type"]!.GetValue<string>(), Is.EqualTo("tool"));
            Assert.That(listUsersBody["object"]!["id"]!.GetValue<string>(), Is.EqualTo("echo"));
            Assert.That(listUsersBody["user_filters"]![0]!["type"]!.GetValue<string>(), Is.EqualTo("user"));
        });
    }

    [Test]
    public void Validation_error_becomes_an_authorization_exception_with_its_code()
    {
        var error = Assert.ThrowsAsync<AuthorizationException>(() =>
            Client().CheckAsync(StoreId, ModelId, new CheckRequest(new TupleKey("tool:echo", "no_such_relation", "user:anne")), CancellationToken.None));
        Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.ValidationError));
    }

    [Test]
    public void Server_error_is_reported_as_such()
    {
        fake.Behaviour = FakeBehaviour.Fail;
        var error = Assert.ThrowsAsync<OpenFgaException>(() =>
            Client().CheckAsync(StoreId, ModelId, new CheckRequest(new TupleKey("tool:echo", "can_execute", "user:anne")), CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Failure, Is.EqualTo(OpenFgaFailure.ServerError));
            Assert.That(error.Status, Is.EqualTo(HttpStatusCode.InternalServerError));
            Assert.That(error.Code, Is.EqualTo("internal_error"));
        });
    }

    [Test]
    public void Unknown_endpoint_is_a_rejection_with_openfgas_code()
    {
        var error = Assert.ThrowsAsync<OpenFgaException>(() =>
            Client().BatchCheckAsync(StoreId, ModelId, [], CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Failure, Is.EqualTo(OpenFgaFailure.Rejected));
            Assert.That(error.Code, Is.EqualTo("undefined_endpoint"));
        });
    }

    [Test]
    public void Silent_server_times_out_at_the_client_deadline()
    {
        fake.Behaviour = FakeBehaviour.Hang;
        var elapsed = Stopwatch.StartNew();
        var error = Assert.ThrowsAsync<OpenFgaException>(() =>
            Client(TimeSpan.FromMilliseconds(300)).CheckAsync(StoreId, ModelId, new CheckRequest(new TupleKey("tool:echo", "can_execute", "user:anne")), CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Failure, Is.EqualTo(OpenFgaFailure.Timeout));
            Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
        });
    }

    [Test]
    public void Unreachable_server_is_reported_as_unreachable()
    {
        var client = new OpenFgaClient(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Ports.Free()}/") }, TimeSpan.FromSeconds(2));
        var error = Assert.ThrowsAsync<OpenFgaException>(() =>
            client.CheckAsync(StoreId, ModelId, new CheckRequest(new TupleKey("tool:echo", "can_execute", "user:anne")), CancellationToken.None));
        Assert.That(error!.Failure, Is.EqualTo(OpenFgaFailure.Unreachable));
    }

    private OpenFgaClient Client(TimeSpan? timeout = null) =>
        new(new HttpClient { BaseAddress = fake.BaseAddress }, timeout ?? TimeSpan.FromSeconds(5), "secret-token");
}
