using System.Net;
using System.Text.Json;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

public sealed class ChatPageTests
{
    [Test]
    public async Task The_page_is_served_without_a_key_with_a_strict_content_security_policy()
    {
        using var anonymous = new HttpClient { BaseAddress = ChatStack.Gateway.BaseAddress };

        using var page = await anonymous.GetAsync("/");
        using var script = await anonymous.GetAsync("/app.js");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("<script src=\"app.js\""));
            Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'"));
            Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task The_dev_key_is_given_to_a_loopback_caller_in_dev_only_and_never_through_a_proxy()
    {
        using var anonymous = new HttpClient { BaseAddress = ChatStack.Gateway.BaseAddress };

        using var direct = await anonymous.GetAsync("/dev-key.json");
        using var proxied = new HttpRequestMessage(HttpMethod.Get, "/dev-key.json");
        proxied.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var viaProxy = await anonymous.SendAsync(proxied);

        Assert.Multiple(async () =>
        {
            Assert.That(direct.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var keys = JsonDocument.Parse(await direct.Content.ReadAsStringAsync()).RootElement;
            Assert.That(keys.GetProperty("key").GetString(), Is.EqualTo(ChatStack.Stack.AdminKey));
            Assert.That(keys.GetProperty("ops_key").GetString(), Is.EqualTo(ChatStack.Stack.ServiceKey), "the ops page's key");
            Assert.That(direct.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(viaProxy.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }

    [Test]
    public async Task Gateway_metrics_count_websocket_connections_and_messages_by_type()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        await using (var socket = await ChatSocket.ConnectAsync(ChatStack.Gateway.BaseAddress, session, ChatStack.Stack.AdminKey))
        {
            await socket.SendAsync(new { type = "ping" });
            await socket.ReceiveAsync(TimeSpan.FromSeconds(10));
        }

        var metrics = await ChatStack.Gateway.Http.GetStringAsync("/metrics");

        Assert.Multiple(() =>
        {
            Assert.That(metrics, Does.Contain("mesh_gateway_websocket_connections"));
            Assert.That(metrics, Does.Match("mesh_gateway_messages_in[a-z_]*\\{[^}]*type=\"ping\""));
            Assert.That(metrics, Does.Match("mesh_gateway_messages_out[a-z_]*\\{[^}]*type=\"pong\""));
        });
    }
}
