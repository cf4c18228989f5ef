using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>Against the tuned instance: a bucket of 3 requests per key, refilled by one per second.</summary>
public sealed class RateLimitTests
{
    [Test]
    public async Task A_key_over_its_rate_gets_429_problems_while_another_key_is_unaffected_and_the_bucket_refills()
    {
        var busy = await ChatStack.IssueKeyAsync("dev", "busy");
        var calm = await ChatStack.IssueKeyAsync("dev", "calm");

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10; i++)
        {
            var response = await GetAsync(busy);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused ??= response;
            }
        }
        var problem = refused is null ? default : JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        var calmStatus = (await GetAsync(calm)).StatusCode;
        await Poll.UntilAsync(async () => (await GetAsync(busy)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "the bucket refills");

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Take(3), Has.All.EqualTo(HttpStatusCode.OK));
            Assert.That(statuses, Does.Contain(HttpStatusCode.TooManyRequests));
            Assert.That(refused?.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.Str("type"), Is.EqualTo("urn:mesh:problem:rate-limited"));
            Assert.That(refused?.Headers.RetryAfter, Is.Not.Null);
            Assert.That(calmStatus, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Chat_frames_draw_from_the_same_bucket_and_are_refused_with_an_error_frame()
    {
        var key = await ChatStack.IssueKeyAsync("dev", "chatty");
        using var client = ChatStack.Client(key, ChatStack.Tuned);
        var session = await Api.CreateSessionAsync(client);
        await using var socket = await ChatSocket.ConnectAsync(ChatStack.TunedGateway.BaseAddress, session, key);

        var replies = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            await socket.SendAsync(new { type = "chat.send", message = "hi", client_msg_id = $"r-{i}" });
            var reply = (await socket.ReceiveUntilAsync(f => !f.IsEvent(), TimeSpan.FromSeconds(15)))[^1];
            replies.Add(reply.Type() == "error" ? reply.GetProperty("error").GetProperty("code").GetString()! : reply.Type());
        }

        Assert.Multiple(() =>
        {
            Assert.That(replies, Does.Contain("rate_limited"));
            Assert.That(socket.Socket.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open));
        });
    }

    private static async Task<HttpResponseMessage> GetAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions?limit=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await ChatStack.TunedGateway.Http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
