using System.Net;
using System.Net.Http.Headers;
using Mesh.Infra.Auth;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NUnit.Framework;

namespace Mesh.Platform.Tests;

public sealed class AuthenticationTests
{
    private NpgsqlDataSource dataSource = null!;
    private ApiKeyStore store = null!;

    [SetUp]
    public void CreateStore()
    {
        dataSource = NpgsqlDataSource.Create(PlatformStack.Stack.DatabaseConnectionString);
        store = new ApiKeyStore(dataSource, new MemoryCache(new MemoryCacheOptions()), TimeProvider.System);
    }

    [TearDown]
    public async Task DisposeStore() => await dataSource.DisposeAsync();

    [Test]
    public async Task Missing_revoked_and_expired_keys_get_401_on_every_service_and_a_valid_key_gets_through()
    {
        await store.EnsureTenantAsync("acme", "Acme", CancellationToken.None);
        var valid = await store.IssueAsync("acme", "alice", false, false, null, "test", CancellationToken.None);
        var revoked = await store.IssueAsync("acme", "bob", false, false, null, "test", CancellationToken.None);
        await store.RevokeAsync("acme", revoked.Id, CancellationToken.None);
        var expired = await store.IssueAsync("acme", "carol", false, false, DateTimeOffset.UtcNow.AddSeconds(-1), "test", CancellationToken.None);

        foreach (var (name, service) in PlatformStack.Stack.Services)
        {
            Assert.Multiple(async () =>
            {
                Assert.That(await StatusAsync(service.Http, null), Is.EqualTo(HttpStatusCode.Unauthorized), name + " without key");
                Assert.That(await StatusAsync(service.Http, "mesh_not_a_key"), Is.EqualTo(HttpStatusCode.Unauthorized), name + " unknown key");
                Assert.That(await StatusAsync(service.Http, revoked.Key), Is.EqualTo(HttpStatusCode.Unauthorized), name + " revoked key");
                Assert.That(await StatusAsync(service.Http, expired.Key), Is.EqualTo(HttpStatusCode.Unauthorized), name + " expired key");
                Assert.That(await StatusAsync(service.Http, valid.Key), Is.EqualTo(HttpStatusCode.OK), name + " valid key");
            });
        }
    }

    [Test]
    public async Task Whoami_reports_the_tenant_and_actor_of_the_key_not_of_the_request()
    {
        await store.EnsureTenantAsync("globex", "Globex", CancellationToken.None);
        var key = await store.IssueAsync("globex", "hank", false, false, null, "test", CancellationToken.None);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/whoami?tenant_id=acme");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Key);
        request.Headers.Add("tenant-id", "acme");

        using var response = await PlatformStack.Stack.Services["gateway"].Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Does.Contain("\"tenant_id\":\"globex\"").And.Contain("\"actor\":\"hank\""));
        });
    }

    [Test]
    public async Task Dev_bootstrap_registers_the_admin_key_for_the_dev_tenant()
    {
        var validation = await store.ValidateAsync(PlatformStack.Stack.AdminKey, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(validation.IsValid, Is.True);
            Assert.That(validation.Principal!.TenantId, Is.EqualTo("dev"));
            Assert.That(validation.Principal.IsAdmin, Is.True);
        });
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/whoami");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
