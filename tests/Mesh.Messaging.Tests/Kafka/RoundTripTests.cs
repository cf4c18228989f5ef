using Mesh.Contracts.Messaging;
using Mesh.Contracts.Serialization;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

[Parallelizable(ParallelScope.All)]
public sealed class RoundTripTests
{
    [Test]
    public async Task Published_message_reaches_its_handler_with_key_body_coordinates_and_standard_headers()
    {
        var topic = await KafkaCluster.CreateTopicAsync("round-trip", partitions: 3);
        using var metrics = new MetricsProbe();
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic);
        var request = Messages.ToolRequest();

        var published = await KafkaCluster.Publisher.PublishAsync(topic, request.SessionId.ToString(), request, Messages.Context(request));
        await consumer.Probe.WaitForHandledAsync(1);
        await metrics.WaitForSumAsync(MessagingMetrics.ConsumedName, 1, ("topic", topic));

        var received = consumer.Probe.Handled.Single().Context;
        Assert.Multiple(() =>
        {
            Assert.That(MeshJson.Serialize(received.Message), Is.EqualTo(MeshJson.Serialize(request)));
            Assert.That(received.Key, Is.EqualTo(request.SessionId.ToString()));
            Assert.That((received.Topic, received.Partition, received.Offset), Is.EqualTo((topic, published.Partition, published.Offset)));
            Assert.That(received.MessageId, Is.EqualTo(published.MessageId.ToString()));
            Assert.That(received.CorrelationId, Is.EqualTo(request.TurnId.ToString()));
            Assert.That(received.CausationId, Is.EqualTo(received.MessageId));
            Assert.That(received.TenantId, Is.EqualTo("acme"));
            Assert.That(received.SchemaId, Is.EqualTo("mesh.tool.request/v1"));
            Assert.That(received.Headers[MeshHeaders.ContentType], Is.EqualTo("application/json"));
            Assert.That(TraceParent.TryParse(received.Headers[MeshHeaders.TraceParent], out _), Is.True);
            Assert.That(received.Attempt, Is.EqualTo(1));
            Assert.That(received.GroupId, Is.EqualTo(consumer.Host.GroupId));
            Assert.That(metrics.Sum(MessagingMetrics.ProducedName, ("topic", topic), ("outcome", "delivered")), Is.EqualTo(1));
            Assert.That(metrics.Sum(MessagingMetrics.ConsumedName, ("topic", topic), ("outcome", "handled")), Is.EqualTo(1));
            Assert.That(metrics.Count(MessagingMetrics.HandlerDurationName, ("topic", topic), ("group", consumer.Host.GroupId)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Kcat_reads_the_standard_headers_and_the_json_body_from_the_wire()
    {
        var topic = await KafkaCluster.CreateTopicAsync("on-the-wire");
        var request = Messages.ToolRequest();
        var published = await KafkaCluster.Publisher.PublishAsync(topic, "session-key", request, new PublishContext("acme", "turn-9", "cause-1"));

        var output = await Kcat.RunCheckedAsync(
            ["-C", "-b", KafkaCluster.BootstrapServers, "-t", topic, "-o", "beginning", "-c", "1", "-e", "-f", "%k\n%h\n%s\n"]);

        var lines = output.Split('\n');
        var headers = lines[1].Split(',').Select(h => h.Split('=', 2)).ToDictionary(h => h[0], h => h[1]);
        Assert.Multiple(() =>
        {
            Assert.That(lines[0], Is.EqualTo("session-key"));
            Assert.That(headers.Keys, Is.EqualTo(MeshHeaders.Standard));
            Assert.That(headers[MeshHeaders.MessageId], Is.EqualTo(published.MessageId.ToString()));
            Assert.That(headers[MeshHeaders.CorrelationId], Is.EqualTo("turn-9"));
            Assert.That(headers[MeshHeaders.CausationId], Is.EqualTo("cause-1"));
            Assert.That(headers[MeshHeaders.TenantId], Is.EqualTo("acme"));
            Assert.That(headers[MeshHeaders.Schema], Is.EqualTo("mesh.tool.request/v1"));
            Assert.That(headers[MeshHeaders.TraceParent], Does.Match("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$"));
            Assert.That(lines[2], Is.EqualTo(MeshJson.Serialize(request)));
        });
    }

    [Test]
    public async Task Invalid_message_is_refused_before_sending_and_never_reaches_the_topic()
    {
        var topic = await KafkaCluster.CreateTopicAsync("refused");
        using var metrics = new MetricsProbe();
        var invalid = Messages.ToolRequest() with { Tool = "" };

        var refusal = Assert.ThrowsAsync<InvalidMessageException>(
            () => KafkaCluster.Publisher.PublishAsync(topic, "k", invalid, Messages.Context(invalid)));
        var valid = Messages.ToolRequest();
        var next = await KafkaCluster.Publisher.PublishAsync(topic, "k", valid, Messages.Context(valid));

        Assert.Multiple(() =>
        {
            Assert.That(refusal!.Validation.Errors.Select(e => e.Path), Does.Contain("$.tool"));
            Assert.That(next.Offset, Is.Zero, "the refused message took no offset");
            Assert.That(metrics.Sum(MessagingMetrics.ProducedName, ("topic", topic), ("outcome", "invalid")), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Messages_of_a_key_are_handled_in_the_order_they_were_published()
    {
        var topic = await KafkaCluster.CreateTopicAsync("ordered", partitions: 3);
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic);
        var sessions = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();

        var publishing = new List<Task<PublishedMessage>>();
        for (var call = 0; call < 25; call++)
        {
            foreach (var session in sessions)
            {
                var request = Messages.ToolRequest(session, call);
                publishing.Add(KafkaCluster.Publisher.PublishAsync(topic, session.ToString(), request, Messages.Context(request)));
            }
        }

        await Task.WhenAll(publishing);
        await consumer.Probe.WaitForHandledAsync(100);

        Assert.Multiple(() =>
        {
            foreach (var session in sessions)
            {
                var calls = consumer.Probe.Handled.Where(h => h.Context.Message.SessionId == session).Select(h => h.Context.Message.CallIndex);
                Assert.That(calls, Is.EqualTo(Enumerable.Range(0, 25)), $"session {session}");
            }
        });
    }
}
