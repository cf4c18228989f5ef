using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Policy.Domain;
using Mesh.Policy.OpenFga;
using Mesh.Policy.Storage;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Integration;

/// <summary>The OpenFGA-compatible API of a running policy service: shapes, errors and tenant isolation.</summary>
[TestFixture]
public sealed class OpenFgaApiTests
{
    private const string Model = """
        model
          schema 1.1
        type user
        type group
          relations
            define member: [user]
        type document
          relations
            define viewer: [user, group#member]
        """;

    [Test]
    public async Task Store_of_another_tenant_is_not_found_and_its_models_and_tuples_stay_hidden()
    {
        var owner = await PolicyStack.NewTenantAsync("own");
        var other = await PolicyStack.NewTenantAsync("oth");
        var ownerApi = await PolicyStack.OpenFgaAsync(owner.Key);
        var store = await ownerApi.CreateStoreAsync("isolated store", CancellationToken.None);
        var modelId = await ownerApi.WriteAuthorizationModelAsync(store.Id, DslParser.Parse(Model), CancellationToken.None);
        await ownerApi.WriteAsync(store.Id, modelId, [new TupleKey("document:1", "viewer", "user:anne")], [], false, false, CancellationToken.None);

        using var intruder = await PolicyStack.ClientAsync(other.Key);
        var requests = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/stores/{store.Id}", null),
            (HttpMethod.Get, $"/stores/{store.Id}/authorization-models", null),
            (HttpMethod.Get, $"/stores/{store.Id}/authorization-models/{modelId}", null),
            (HttpMethod.Post, $"/stores/{store.Id}/read", new { }),
            (HttpMethod.Post, $"/stores/{store.Id}/check", new { tuple_key = new { user = "user:anne", relation = "viewer", @object = "document:1" } }),
            (HttpMethod.Post, $"/stores/{store.Id}/write", new { writes = new { tuple_keys = new[] { new { user = "user:eve", relation = "viewer", @object = "document:1" } } } }),
        };
        foreach (var (method, path, body) in requests)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await intruder.SendAsync(request);
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Multiple(() =>
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), $"{method} {path}");
                Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("store_id_not_found"), $"{method} {path}");
            });
        }

        var otherStores = await (await PolicyStack.ClientAsync(other.Key)).GetFromJsonAsync<JsonElement>("/stores");
        var ownTuples = await ownerApi.ReadAsync(store.Id, new TupleFilter(null, null, null), null, null, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(otherStores.GetProperty("stores").EnumerateArray().Select(s => s.GetProperty("id").GetString()), Does.Not.Contain(store.Id));
            Assert.That(ownTuples.Tuples.Select(t => t.Key.ToKey()), Is.EqualTo(new[] { new TupleKey("document:1", "viewer", "user:anne") }));
        });
    }

    [Test]
    public async Task Non_admin_key_is_refused_by_the_openfga_api()
    {
        var tenant = await PolicyStack.NewTenantAsync("nad", admin: false);
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        using var response = await client.PostAsJsonAsync("/stores", new { name = "not allowed" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Store_and_model_read_back_in_openfga_shapes()
    {
        var tenant = await PolicyStack.NewTenantAsync("shp");
        using var client = await PolicyStack.ClientAsync(tenant.Key);
        using var created = await client.PostAsJsonAsync("/stores", new { name = "shapes" });
        var store = await created.Content.ReadFromJsonAsync<JsonElement>();
        var storeId = store.GetProperty("id").GetString()!;
        using var written = await client.PostAsync(
            $"/stores/{storeId}/authorization-models",
            new StringContent(AuthorizationModelJson.Serialize(DslParser.Parse(Model)), System.Text.Encoding.UTF8, "application/json"));
        var modelId = (await written.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("authorization_model_id").GetString()!;
        var fetched = await client.GetFromJsonAsync<JsonElement>($"/stores/{storeId}");
        var model = await client.GetFromJsonAsync<JsonElement>($"/stores/{storeId}/authorization-models/{modelId}");
        var models = await client.GetFromJsonAsync<JsonElement>($"/stores/{storeId}/authorization-models");

        Assert.Multiple(() =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(Ulid.IsWellFormed(storeId), Is.True, storeId);
            Assert.That(store.GetProperty("name").GetString(), Is.EqualTo("shapes"));
            Assert.That(store.TryGetProperty("created_at", out _) && store.TryGetProperty("updated_at", out _), Is.True);
            Assert.That(written.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(Ulid.IsWellFormed(modelId), Is.True, modelId);
            Assert.That(fetched.GetProperty("id").GetString(), Is.EqualTo(storeId));
            Assert.That(model.GetProperty("authorization_model").GetProperty("id").GetString(), Is.EqualTo(modelId));
            Assert.That(model.GetProperty("authorization_model").GetProperty("schema_version").GetString(), Is.EqualTo("1.1"));
            Assert.That(models.GetProperty("authorization_models").EnumerateArray().Select(m => m.GetProperty("id").GetString()), Is.EqualTo(new[] { modelId }));
        });
    }

    [Test]
    public async Task Write_with_a_conflict_changes_nothing()
    {
        var (api, storeId, modelId) = await StoreWithModelAsync("atm");
        var anne = new TupleKey("document:1", "viewer", "user:anne");
        var bob = new TupleKey("document:1", "viewer", "user:bob");
        await api.WriteAsync(storeId, modelId, [anne], [], false, false, CancellationToken.None);

        var conflict = Assert.ThrowsAsync<AuthorizationException>(() =>
            api.WriteAsync(storeId, modelId, [bob, anne], [], false, false, CancellationToken.None));
        var missingDelete = Assert.ThrowsAsync<AuthorizationException>(() =>
            api.WriteAsync(storeId, modelId, [bob], [new TupleKey("document:9", "viewer", "user:anne")], false, false, CancellationToken.None));
        var stored = await api.ReadAsync(storeId, new TupleFilter("document:1", null, null), null, null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(conflict!.Code, Is.EqualTo(AuthorizationErrorCode.WriteFailedDueToInvalidInput));
            Assert.That(missingDelete!.Code, Is.EqualTo(AuthorizationErrorCode.WriteFailedDueToInvalidInput));
            Assert.That(stored.Tuples.Select(t => t.Key.ToKey()), Is.EqualTo(new[] { anne }));
        });
    }

    [Test]
    public async Task Write_deletes_and_writes_in_one_step_and_ignores_duplicates_on_request()
    {
        var (api, storeId, modelId) = await StoreWithModelAsync("swp");
        var anne = new TupleKey("document:1", "viewer", "user:anne");
        var bob = new TupleKey("document:1", "viewer", "user:bob");
        await api.WriteAsync(storeId, modelId, [anne], [], false, false, CancellationToken.None);
        await api.WriteAsync(storeId, modelId, [bob], [anne], false, false, CancellationToken.None);
        await api.WriteAsync(storeId, modelId, [bob], [], ignoreDuplicates: true, false, CancellationToken.None);
        var allowedAnne = await api.CheckAsync(storeId, modelId, new CheckRequest(anne), CancellationToken.None);
        var allowedBob = await api.CheckAsync(storeId, modelId, new CheckRequest(bob), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(allowedAnne.Allowed, Is.False);
            Assert.That(allowedBob.Allowed, Is.True);
        });
    }

    [Test]
    public async Task Read_pages_through_every_tuple_with_continuation_tokens()
    {
        var (api, storeId, modelId) = await StoreWithModelAsync("pag");
        var tuples = Enumerable.Range(0, 7).Select(i => new TupleKey($"document:{i}", "viewer", "user:anne")).ToList();
        await api.WriteAsync(storeId, modelId, tuples, [], false, false, CancellationToken.None);
        var seen = new List<TupleKey>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await api.ReadAsync(storeId, new TupleFilter("document:", null, "user:anne"), 3, token, CancellationToken.None);
            seen.AddRange(page.Tuples.Select(t => t.Key.ToKey()));
            token = page.ContinuationToken;
            pages++;
        }
        while (!string.IsNullOrEmpty(token) && pages < 10);

        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(3));
            Assert.That(seen, Is.EquivalentTo(tuples));
        });
    }

    [TestCase("document:1", "owner", "user:anne", "validation_error")]
    [TestCase("folder:1", "viewer", "user:anne", "validation_error")]
    [TestCase("document 1", "viewer", "user:anne", "validation_error")]
    [TestCase("document:1", "viewer", "user", "validation_error")]
    public async Task Write_of_a_tuple_the_model_does_not_allow_is_a_400_with_openfga_error_shape(string target, string relation, string user, string code)
    {
        var (_, storeId, _) = await StoreWithModelAsync("bad");
        var tenantKey = LastKey;
        using var client = await PolicyStack.ClientAsync(tenantKey);
        using var response = await client.PostAsJsonAsync($"/stores/{storeId}/write", new
        {
            writes = new { tuple_keys = new[] { new { user, relation, @object = target } } },
        });
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code));
            Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
        });
    }

    [Test]
    public async Task Oversized_write_and_batch_check_are_refused()
    {
        var (api, storeId, modelId) = await StoreWithModelAsync("big");
        var tooMany = Enumerable.Range(0, 101).Select(i => new TupleKey($"document:{i}", "viewer", "user:anne")).ToList();
        var write = Assert.ThrowsAsync<AuthorizationException>(() => api.WriteAsync(storeId, modelId, tooMany, [], false, false, CancellationToken.None));
        var checks = Enumerable.Range(0, 51)
            .Select(i => new BatchCheckItem(new WireTupleKey("user:anne", "viewer", $"document:{i}"), null, $"c{i}"))
            .ToList();
        var batch = Assert.ThrowsAsync<AuthorizationException>(() => api.BatchCheckAsync(storeId, modelId, checks, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(write!.Code, Is.EqualTo(AuthorizationErrorCode.ExceededEntityLimit));
            Assert.That(batch!.Code, Is.EqualTo(AuthorizationErrorCode.ValidationError));
        });
    }

    [Test]
    public async Task Batch_check_answers_each_check_by_correlation_id()
    {
        var (api, storeId, modelId) = await StoreWithModelAsync("bch");
        await api.WriteAsync(storeId, modelId,
            [new TupleKey("group:eng", "member", "user:anne"), new TupleKey("document:1", "viewer", "group:eng#member")], [], false, false, CancellationToken.None);
        var results = await api.BatchCheckAsync(storeId, modelId,
        [
            new BatchCheckItem(new WireTupleKey("user:anne", "viewer", "document:1"), null, "via-group"),
            new BatchCheckItem(new WireTupleKey("user:bob", "viewer", "document:1"), null, "stranger"),
            new BatchCheckItem(new WireTupleKey("user:anne", "owner", "document:1"), null, "bad-relation"),
        ], CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(results["via-group"].Allowed, Is.True);
            Assert.That(results["stranger"].Allowed, Is.False);
            Assert.That(results["bad-relation"].Error?.InputError, Is.EqualTo("validation_error"));
        });
    }

    [Test]
    public async Task List_objects_and_list_users_answer_in_openfga_shapes()
    {
        var (api, storeId, modelId) = await StoreWithModelAsync("lst");
        await api.WriteAsync(storeId, modelId,
        [
            new TupleKey("group:eng", "member", "user:anne"),
            new TupleKey("document:1", "viewer", "group:eng#member"),
            new TupleKey("document:2", "viewer", "user:anne"),
        ], [], false, false, CancellationToken.None);
        var objects = await api.ListObjectsAsync(storeId, modelId, new ListObjectsRequest("document", "viewer", "user:anne"), CancellationToken.None);
        using var client = await PolicyStack.ClientAsync(LastKey);
        using var response = await client.PostAsJsonAsync($"/stores/{storeId}/list-users", new
        {
            @object = new { type = "document", id = "1" },
            relation = "viewer",
            user_filters = new[] { new { type = "group", relation = "member" } },
        });
        var users = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Multiple(() =>
        {
            Assert.That(objects, Is.EquivalentTo(new[] { "document:1", "document:2" }));
            Assert.That(users.GetProperty("users")[0].GetProperty("userset").GetProperty("id").GetString(), Is.EqualTo("eng"));
            Assert.That(users.GetProperty("users")[0].GetProperty("userset").GetProperty("relation").GetString(), Is.EqualTo("member"));
        });
    }

    private static string LastKey { get; set; } = "";

    private static async Task<(OpenFgaClient Api, string StoreId, string ModelId)> StoreWithModelAsync(string prefix)
    {
        var tenant = await PolicyStack.NewTenantAsync(prefix);
        LastKey = tenant.Key;
        var api = await PolicyStack.OpenFgaAsync(tenant.Key);
        var store = await api.CreateStoreAsync($"{prefix} store", CancellationToken.None);
        var modelId = await api.WriteAuthorizationModelAsync(store.Id, DslParser.Parse(Model), CancellationToken.None);
        return (api, store.Id, modelId);
    }
}
