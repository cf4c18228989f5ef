using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

public sealed class KeyAdminTests
{
    [Test]
    public async Task An_issued_key_is_shown_once_works_for_its_actor_and_is_listed_without_its_secret()
    {
        var admin = await ChatStack.IssueKeyAsync("umbrella", "boss", admin: true);
        using var client = ChatStack.Client(admin);

        var (status, issued) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/admin/keys", new { actor = "carol", description = "laptop" });
        var key = issued.GetProperty("key").GetString()!;
        using var carol = ChatStack.Client(key);
        var (whoamiStatus, whoami) = await Api.SendJsonAsync(carol, HttpMethod.Get, "/v1/whoami");
        var (_, list) = await Api.SendJsonAsync(client, HttpMethod.Get, "/v1/admin/keys");
        var listed = list.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == issued.GetProperty("info").GetProperty("id").GetGuid());

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(201));
            Assert.That(issued.GetProperty("info").GetProperty("tenant_id").GetString(), Is.EqualTo("umbrella"));
            Assert.That(issued.GetProperty("info").GetProperty("admin").GetBoolean(), Is.False);
            Assert.That(whoamiStatus, Is.EqualTo(200));
            Assert.That(whoami.GetProperty("actor").GetString(), Is.EqualTo("carol"));
            Assert.That(whoami.GetProperty("tenant_id").GetString(), Is.EqualTo("umbrella"));
            Assert.That(listed.GetProperty("description").GetString(), Is.EqualTo("laptop"));
            Assert.That(listed.TryGetProperty("key", out _), Is.False, "the secret is never listed");
            Assert.That(list.GetRawText(), Does.Not.Contain(key));
        });
    }

    [Test]
    public async Task An_expired_key_and_a_revoked_key_stop_working()
    {
        var admin = await ChatStack.IssueKeyAsync("umbrella", "boss", admin: true);
        using var client = ChatStack.Client(admin);
        var (_, toExpire) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/admin/keys", new { actor = "dave" });
        var (_, toRevoke) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/admin/keys", new { actor = "erin" });

        var (expireStatus, expired) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/admin/keys/{Id(toExpire)}/expire", new { });
        var (revokeStatus, _) = await Api.SendJsonAsync(client, HttpMethod.Delete, $"/v1/admin/keys/{Id(toRevoke)}");

        await Poll.UntilAsync(async () => await WhoamiAsync(toExpire.GetProperty("key").GetString()!) == HttpStatusCode.Unauthorized
            && await WhoamiAsync(toRevoke.GetProperty("key").GetString()!) == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(30), "expired and revoked keys refused");
        var (_, list) = await Api.SendJsonAsync(client, HttpMethod.Get, "/v1/admin/keys");
        var revoked = list.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == Id(toRevoke));

        Assert.Multiple(() =>
        {
            Assert.That(expireStatus, Is.EqualTo(200));
            Assert.That(expired.GetProperty("expires_at").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(revokeStatus, Is.EqualTo(204));
            Assert.That(revoked.GetProperty("revoked_at").ValueKind, Is.EqualTo(JsonValueKind.String));
        });
    }

    [Test]
    public async Task A_key_can_be_given_a_future_expiry_and_keeps_working_until_then()
    {
        var admin = await ChatStack.IssueKeyAsync("umbrella", "boss", admin: true);
        using var client = ChatStack.Client(admin);
        var (_, issued) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/admin/keys", new { actor = "frank", expires_at = DateTimeOffset.UtcNow.AddHours(1) });
        var at = DateTimeOffset.UtcNow.AddDays(1);

        var (status, moved) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/admin/keys/{Id(issued)}/expire", new { at });

        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(200));
            Assert.That(moved.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(at).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(await WhoamiAsync(issued.GetProperty("key").GetString()!), Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Key_administration_needs_an_admin_key_and_stays_within_its_tenant()
    {
        var plain = await ChatStack.IssueKeyAsync("umbrella", "intern");
        var otherAdmin = await ChatStack.IssueKeyAsync("hooli", "gavin", admin: true);
        using var admin = ChatStack.Client(await ChatStack.IssueKeyAsync("umbrella", "boss", admin: true));
        var (_, issued) = await Api.SendJsonAsync(admin, HttpMethod.Post, "/v1/admin/keys", new { actor = "grace" });
        using var plainClient = ChatStack.Client(plain);
        using var otherClient = ChatStack.Client(otherAdmin);

        var (plainStatus, plainProblem) = await Api.SendJsonAsync(plainClient, HttpMethod.Get, "/v1/admin/keys");
        var (revokeStatus, revokeProblem) = await Api.SendJsonAsync(otherClient, HttpMethod.Delete, $"/v1/admin/keys/{Id(issued)}");
        var (expireStatus, _) = await Api.SendJsonAsync(otherClient, HttpMethod.Post, $"/v1/admin/keys/{Id(issued)}/expire", new { });
        var (_, otherList) = await Api.SendJsonAsync(otherClient, HttpMethod.Get, "/v1/admin/keys");

        Assert.Multiple(async () =>
        {
            Assert.That(plainStatus, Is.EqualTo(403));
            Assert.That(plainProblem.Str("type"), Is.EqualTo("urn:mesh:problem:forbidden"));
            Assert.That(revokeStatus, Is.EqualTo(404));
            Assert.That(revokeProblem.Str("type"), Is.EqualTo("urn:mesh:problem:key-not-found"));
            Assert.That(expireStatus, Is.EqualTo(404));
            Assert.That(otherList.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("tenant_id").GetString()), Has.All.EqualTo("hooli"));
            Assert.That(await WhoamiAsync(issued.GetProperty("key").GetString()!), Is.EqualTo(HttpStatusCode.OK), "the other tenant could not revoke it");
        });
    }

    [Test]
    public async Task An_invalid_actor_is_a_typed_400()
    {
        using var admin = ChatStack.Client();

        var (status, problem) = await Api.SendJsonAsync(admin, HttpMethod.Post, "/v1/admin/keys", new { actor = "no spaces allowed" });

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(400));
            Assert.That(problem.Str("type"), Is.EqualTo("urn:mesh:problem:invalid-request"));
        });
    }

    private static Guid Id(JsonElement issued) => issued.GetProperty("info").GetProperty("id").GetGuid();

    private static async Task<HttpStatusCode> WhoamiAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await ChatStack.Gateway.Http.SendAsync(request);
        return response.StatusCode;
    }
}
