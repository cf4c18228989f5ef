using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

public sealed class SessionApiTests
{
    [Test]
    public async Task A_created_session_carries_the_callers_tenant_and_actor_with_its_persona_and_metadata()
    {
        using var client = ChatStack.Client();
        var (status, created) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/sessions",
            new { persona_id = "research-assistant", metadata = new { client = "test", locale = "de-CH" }, tenant_id = "evil" });
        var (getStatus, fetched) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{created.GetProperty("id").GetGuid()}");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(201));
            Assert.That(created.GetProperty("tenant_id").GetString(), Is.EqualTo("dev"));
            Assert.That(created.GetProperty("actor_id").GetString(), Is.EqualTo("dev-user"));
            Assert.That(created.GetProperty("persona_id").GetString(), Is.EqualTo("research-assistant"));
            Assert.That(created.GetProperty("metadata").GetProperty("locale").GetString(), Is.EqualTo("de-CH"));
            Assert.That(getStatus, Is.EqualTo(200));
            Assert.That(fetched.GetRawText(), Is.EqualTo(created.GetRawText()));
        });
    }

    [Test]
    public async Task Invalid_persona_or_metadata_is_a_typed_400()
    {
        using var client = ChatStack.Client();
        var (personaStatus, persona) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/sessions", new { persona_id = "no spaces" });
        var (metadataStatus, metadata) = await Api.SendJsonAsync(client, HttpMethod.Post, "/v1/sessions", new { metadata = new { nested = new { a = 1 } } });

        Assert.Multiple(() =>
        {
            Assert.That(personaStatus, Is.EqualTo(400));
            Assert.That(persona.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:invalid-request"));
            Assert.That(metadataStatus, Is.EqualTo(400));
            Assert.That(metadata.GetProperty("type").GetString(), Is.EqualTo("urn:mesh:problem:invalid-request"));
        });
    }

    [Test]
    public async Task Listing_pages_through_the_callers_sessions_newest_first()
    {
        var key = await ChatStack.IssueKeyAsync("lister", "lena");
        using var client = ChatStack.Client(key);
        var created = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await Api.CreateSessionAsync(client));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (_, page) = await Api.SendJsonAsync(client, HttpMethod.Get, "/v1/sessions?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            seen.AddRange(page.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next_cursor").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_cursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(Enumerable.Reverse(created).ToList()));
            Assert.That(pages, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Another_tenants_session_answers_404_on_every_route()
    {
        using var owner = ChatStack.Client();
        var session = await Api.CreateSessionAsync(owner);
        var stranger = await ChatStack.IssueKeyAsync("globex", "hank", admin: true);
        using var client = ChatStack.Client(stranger);
        var routes = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/v1/sessions/{session}", null),
            (HttpMethod.Get, $"/v1/sessions/{session}/events?after=0", null),
            (HttpMethod.Get, $"/v1/sessions/{session}/usage", null),
            (HttpMethod.Get, $"/v1/sessions/{session}/stream", null),
            (HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "hello" }),
            (HttpMethod.Post, $"/v1/sessions/{session}/cancel", new { }),
            (HttpMethod.Delete, $"/v1/sessions/{session}", null),
        };

        var statuses = new List<string>();
        foreach (var (method, path, body) in routes)
        {
            var (status, problem) = await Api.SendJsonAsync(client, method, path, body);
            statuses.Add($"{method} {path}: {status} {problem.Str("type")}");
        }
        var socketStatus = await ChatSocket.RefusedStatusAsync(ChatStack.Gateway.BaseAddress, session, stranger);
        var (_, list) = await Api.SendJsonAsync(client, HttpMethod.Get, "/v1/sessions");
        var (stillThere, _) = await Api.SendJsonAsync(owner, HttpMethod.Get, $"/v1/sessions/{session}");

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Has.All.EndsWith(": 404 urn:mesh:problem:session-not-found"));
            Assert.That(socketStatus, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(list.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()), Does.Not.Contain(session));
            Assert.That(stillThere, Is.EqualTo(200), "the stranger's delete did nothing");
        });
    }

    [Test]
    public async Task Another_actors_session_is_hidden_from_a_non_admin_key_of_the_same_tenant_but_not_from_its_admin()
    {
        var alice = await ChatStack.IssueKeyAsync("initech", "alice");
        var bob = await ChatStack.IssueKeyAsync("initech", "bob");
        var admin = await ChatStack.IssueKeyAsync("initech", "root", admin: true);
        using var aliceClient = ChatStack.Client(alice);
        var session = await Api.CreateSessionAsync(aliceClient);
        using var bobClient = ChatStack.Client(bob);
        using var adminClient = ChatStack.Client(admin);

        var (bobStatus, _) = await Api.SendJsonAsync(bobClient, HttpMethod.Get, $"/v1/sessions/{session}");
        var (adminStatus, _) = await Api.SendJsonAsync(adminClient, HttpMethod.Get, $"/v1/sessions/{session}");

        Assert.Multiple(() =>
        {
            Assert.That(bobStatus, Is.EqualTo(404));
            Assert.That(adminStatus, Is.EqualTo(200));
        });
    }

    [Test]
    public async Task A_deleted_session_is_gone()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);

        var (deleted, _) = await Api.SendJsonAsync(client, HttpMethod.Delete, $"/v1/sessions/{session}");
        var (afterwards, _) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}");
        var (again, _) = await Api.SendJsonAsync(client, HttpMethod.Delete, $"/v1/sessions/{session}");

        Assert.Multiple(() =>
        {
            Assert.That(deleted, Is.EqualTo(204));
            Assert.That(afterwards, Is.EqualTo(404));
            Assert.That(again, Is.EqualTo(404));
        });
    }

    [Test]
    public async Task A_message_is_published_on_conversation_inbound_with_the_keys_identity_and_a_deterministic_turn()
    {
        var key = await ChatStack.IssueKeyAsync("acme", "alice");
        using var client = ChatStack.Client(key);
        var session = await Api.CreateSessionAsync(client, new { persona_id = "helper", metadata = new { client = "test" } });

        var (status, accepted) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages",
            new { message = "hello there", client_msg_id = "m-1", actor_id = "mallory", tenant_id = "globex" });
        var messages = await InboundAsync(session, 1);
        using var body = JsonDocument.Parse(messages[0].Value);
        var message = body.RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(202));
            Assert.That(accepted.GetProperty("turn_id").GetGuid(), Is.EqualTo(Sessions.TurnIds.For(session, "m-1")));
            Assert.That(accepted.GetProperty("message_id").GetString(), Is.EqualTo(messages[0].Headers["message-id"]));
            Assert.That(accepted.GetProperty("duplicate").GetBoolean(), Is.False);
            Assert.That(messages[0].Key, Is.EqualTo(session.ToString("D")));
            Assert.That(message.GetProperty("kind").GetString(), Is.EqualTo("message"));
            Assert.That(message.GetProperty("tenant_id").GetString(), Is.EqualTo("acme"));
            Assert.That(message.GetProperty("actor_id").GetString(), Is.EqualTo("alice"));
            Assert.That(message.GetProperty("persona_id").GetString(), Is.EqualTo("helper"));
            Assert.That(message.GetProperty("content").GetString(), Is.EqualTo("hello there"));
            Assert.That(message.GetProperty("client_msg_id").GetString(), Is.EqualTo("m-1"));
            Assert.That(message.GetProperty("metadata").GetProperty("labels").GetProperty("client").GetString(), Is.EqualTo("test"));
            Assert.That(messages[0].Headers["tenant-id"], Is.EqualTo("acme"));
            Assert.That(messages[0].Headers["correlation-id"], Is.EqualTo(accepted.GetProperty("turn_id").GetString()));
            Assert.That(messages[0].Headers["schema"], Is.EqualTo("mesh.conversation.message/v1"));
        });
    }

    [Test]
    public async Task A_resend_with_the_same_client_msg_id_is_acknowledged_but_published_once()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);

        var (firstStatus, first) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "once", client_msg_id = "dup-1" });
        var (secondStatus, second) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "once", client_msg_id = "dup-1" });
        var (_, other) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "twice", client_msg_id = "dup-2" });
        var messages = await InboundAsync(session, 2);

        Assert.Multiple(() =>
        {
            Assert.That(firstStatus, Is.EqualTo(202));
            Assert.That(secondStatus, Is.EqualTo(202));
            Assert.That(second.GetProperty("duplicate").GetBoolean(), Is.True);
            Assert.That(second.GetProperty("turn_id").GetGuid(), Is.EqualTo(first.GetProperty("turn_id").GetGuid()));
            Assert.That(second.GetProperty("message_id").GetString(), Is.EqualTo(first.GetProperty("message_id").GetString()));
            Assert.That(messages.Select(m => JsonDocument.Parse(m.Value).RootElement.GetProperty("client_msg_id").GetString()), Is.EqualTo(new[] { "dup-1", "dup-2" }));
            Assert.That(other.GetProperty("turn_id").GetGuid(), Is.Not.EqualTo(first.GetProperty("turn_id").GetGuid()));
        });
    }

    [Test]
    public async Task A_cancel_without_a_turn_asks_for_the_running_turn_with_the_nil_uuid()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);

        var (status, accepted) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/cancel");
        var messages = await InboundAsync(session, 1);
        var cancel = JsonDocument.Parse(messages[0].Value).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(202));
            Assert.That(accepted.GetProperty("turn_id").GetGuid(), Is.EqualTo(Guid.Empty));
            Assert.That(cancel.GetProperty("kind").GetString(), Is.EqualTo("cancel"));
            Assert.That(cancel.GetProperty("turn_id").GetGuid(), Is.EqualTo(Guid.Empty));
        });
    }

    [Test]
    public async Task A_message_over_64_KiB_is_a_typed_413_and_an_empty_one_a_typed_400()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);

        var (largeStatus, large) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = new string('a', 64 * 1024 + 1) });
        var (hugeStatus, huge) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = new string('a', 2 * 1024 * 1024) });
        var (emptyStatus, empty) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "" });
        var (idStatus, id) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "hi", client_msg_id = "with space" });
        var (fitsStatus, _) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = new string('a', 64 * 1024) });

        Assert.Multiple(() =>
        {
            Assert.That((largeStatus, large.Str("type")), Is.EqualTo((413, "urn:mesh:problem:message-too-large")));
            Assert.That((hugeStatus, huge.Str("type")), Is.EqualTo((413, "urn:mesh:problem:message-too-large")));
            Assert.That((emptyStatus, empty.Str("type")), Is.EqualTo((400, "urn:mesh:problem:message-empty")));
            Assert.That((idStatus, id.Str("type")), Is.EqualTo((400, "urn:mesh:problem:invalid-client-msg-id")));
            Assert.That(fitsStatus, Is.EqualTo(202), "exactly 64 KiB fits");
        });
    }

    [Test]
    public async Task A_key_whose_actor_the_message_contract_cannot_carry_gets_a_typed_400_and_nothing_is_published()
    {
        var key = await ChatStack.IssueKeyAsync("acme", "name with spaces");
        using var client = ChatStack.Client(key);
        var session = await Api.CreateSessionAsync(client);

        var (status, problem) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "hello", client_msg_id = "bad-actor-1" });
        var published = await KcatRead.AllAsync(ChatStack.Stack.Kafka.BootstrapServers, "conversation.inbound", session.ToString("D"));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(400));
            Assert.That(problem.Str("type"), Is.EqualTo("urn:mesh:problem:invalid-message"));
            Assert.That(published, Is.Empty);
        });
    }

    [Test]
    public async Task The_session_api_needs_a_key()
    {
        using var anonymous = new HttpClient { BaseAddress = ChatStack.Gateway.BaseAddress };

        using var response = await anonymous.PostAsJsonAsync("/v1/sessions", new { });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>The session's messages on conversation.inbound, read with kcat (an independent client) until at least <paramref name="count"/>.</summary>
    private static async Task<List<ConsumedMessage>> InboundAsync(Guid session, int count)
    {
        var found = new List<ConsumedMessage>();
        await Mesh.Testing.Poll.UntilAsync(async () =>
        {
            found = await KcatRead.AllAsync(ChatStack.Stack.Kafka.BootstrapServers, "conversation.inbound", session.ToString("D"));
            return found.Count >= count;
        }, TimeSpan.FromSeconds(20), $"{count} messages of {session} on conversation.inbound");
        return found;
    }
}
