using System.Diagnostics;
using Mesh.Contracts.Messaging;
using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

public sealed class TracingTests
{
    private static readonly ActivitySource Requests = new("Mesh.Messaging.Tests.Requests");

    private ActivityListener listener = null!;

    [OneTimeSetUp]
    public void Listen()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Mesh", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
    }

    [OneTimeTearDown]
    public void StopListening() => listener.Dispose();

    [Test]
    public async Task Handler_runs_in_a_consumer_span_that_continues_the_publishers_trace()
    {
        var topic = await KafkaCluster.CreateTopicAsync("traced");
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic);
        var request = Messages.ToolRequest();
        ActivityTraceId requestTrace;
        using (var incoming = Requests.StartActivity("POST /v1/sessions")!)
        {
            requestTrace = incoming.TraceId;
            await KafkaCluster.Publisher.PublishAsync(topic, "k", request, Messages.Context(request));
        }

        await consumer.Probe.WaitForHandledAsync(1);

        var handled = consumer.Probe.Handled.Single();
        var parsed = TraceParent.TryParse(handled.Context.Headers[MeshHeaders.TraceParent], out var producerSpan);
        Assert.Multiple(() =>
        {
            Assert.That(parsed, Is.True);
            Assert.That(producerSpan.TraceId, Is.EqualTo(requestTrace), "the producer span belongs to the request's trace");
            Assert.That(handled.Span?.TraceId, Is.EqualTo(requestTrace), "the handler runs in the same trace");
            Assert.That(handled.ParentSpanId, Is.EqualTo(producerSpan.SpanId), "the consumer span's parent is the producer span");
            Assert.That(handled.Span?.SpanId, Is.Not.EqualTo(producerSpan.SpanId));
        });
    }

    [Test]
    public async Task Message_with_a_malformed_traceparent_is_handled_in_a_new_trace()
    {
        var topic = await KafkaCluster.CreateTopicAsync("untraced");
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic);
        var headers = Messages.StandardHeaders();
        headers[MeshHeaders.TraceParent] = "00-not-a-trace";

        await KcatProducer.ProduceAsync(KafkaCluster.BootstrapServers, topic, "k", Messages.Json(Messages.ToolRequest()), headers);
        await consumer.Probe.WaitForHandledAsync(1);

        var handled = consumer.Probe.Handled.Single();
        Assert.Multiple(() =>
        {
            Assert.That(handled.Span, Is.Not.Null);
            Assert.That(handled.Span?.TraceId, Is.Not.EqualTo(default(ActivityTraceId)));
            Assert.That(handled.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "a root span");
        });
    }
}
