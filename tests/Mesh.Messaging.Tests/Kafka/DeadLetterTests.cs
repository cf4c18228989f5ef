using Mesh.Contracts.Messaging;
using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

[Parallelizable(ParallelScope.All)]
public sealed class DeadLetterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    public static IEnumerable<TestCaseData> PoisonFromKcat()
    {
        yield return new TestCaseData("""{"request_id": "3c207180-b42c""", null, "InvalidJson").SetName("Invalid_json_from_kcat_is_dead_lettered_and_the_next_valid_message_is_handled");
        var withoutTool = Messages.Json(Messages.ToolRequest()).Replace("\"tool\":\"weather.forecast\",", "", StringComparison.Ordinal);
        yield return new TestCaseData(withoutTool, null, "MissingProperty").SetName("Schema_violation_from_kcat_is_dead_lettered_with_its_error_kind_and_the_next_valid_message_is_handled");
        yield return new TestCaseData(Messages.Json(Messages.ToolRequest()), MeshHeaders.TenantId, DeadLetterErrorTypes.MissingHeader).SetName("Message_from_kcat_without_a_required_header_is_dead_lettered_and_the_next_valid_message_is_handled");
    }

    [TestCaseSource(nameof(PoisonFromKcat))]
    public async Task Poison_from_kcat_is_dead_lettered_at_once_and_the_consumer_keeps_going(string body, string? droppedHeader, string expectedErrorType)
    {
        var topic = await KafkaCluster.CreateTopicAsync("poison");
        using var metrics = new MetricsProbe();
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic);
        var poisonHeaders = Messages.StandardHeaders();
        if (droppedHeader is not null)
        {
            poisonHeaders.Remove(droppedHeader);
        }

        var validHeaders = Messages.StandardHeaders();
        await KcatProducer.ProduceAsync(KafkaCluster.BootstrapServers, topic, "session-1", body, poisonHeaders);
        await KcatProducer.ProduceAsync(KafkaCluster.BootstrapServers, topic, "session-1", Messages.Json(Messages.ToolRequest()), validHeaders);

        var deadLetter = (await TopicReader.ReadAsync(KafkaCluster.BootstrapServers, MeshTopics.Dlq(topic), 1, Deadline)).Single();
        await consumer.Probe.WaitForHandledAsync(1);
        await metrics.WaitForSumAsync(MessagingMetrics.ConsumedName, 2, ("topic", topic));

        Assert.Multiple(() =>
        {
            Assert.That(deadLetter.Headers[MeshHeaders.ErrorType], Is.EqualTo(expectedErrorType));
            Assert.That(deadLetter.Headers[MeshHeaders.ErrorMessage], Is.Not.Empty);
            Assert.That(deadLetter.Headers[MeshHeaders.SourceTopic], Is.EqualTo(topic));
            Assert.That(deadLetter.Headers[MeshHeaders.SourcePartition], Is.EqualTo("0"));
            Assert.That(deadLetter.Headers[MeshHeaders.SourceOffset], Is.EqualTo("0"));
            Assert.That(deadLetter.Headers[MeshHeaders.Attempt], Is.EqualTo("1"));
            Assert.That(DateTimeOffset.Parse(deadLetter.Headers[MeshHeaders.FailedAt], System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            foreach (var (name, value) in poisonHeaders)
            {
                Assert.That(deadLetter.Headers[name], Is.EqualTo(value), $"original header {name} is kept");
            }

            Assert.That(deadLetter.Key, Is.EqualTo("session-1"));
            Assert.That(deadLetter.Value, Is.EqualTo(body));
            Assert.That(consumer.Probe.Attempts.Select(a => a.Context.MessageId), Is.EqualTo(new[] { validHeaders[MeshHeaders.MessageId] }), "the poison never reached the handler");
            Assert.That(metrics.Sum(MessagingMetrics.ConsumedName, ("topic", topic), ("outcome", "invalid")), Is.EqualTo(1));
            Assert.That(metrics.Sum(MessagingMetrics.DeadLettersName, ("topic", topic)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Message_whose_schema_header_names_another_schema_is_dead_lettered()
    {
        var topic = await KafkaCluster.CreateTopicAsync("schema-mismatch");
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic);
        var headers = Messages.StandardHeaders();
        headers[MeshHeaders.Schema] = "mesh.tool.result/v1";

        await KcatProducer.ProduceAsync(KafkaCluster.BootstrapServers, topic, "k", Messages.Json(Messages.ToolRequest()), headers);
        var deadLetter = (await TopicReader.ReadAsync(KafkaCluster.BootstrapServers, MeshTopics.Dlq(topic), 1, Deadline)).Single();

        Assert.That(deadLetter.Headers[MeshHeaders.ErrorType], Is.EqualTo(DeadLetterErrorTypes.SchemaMismatch));
    }

    [Test]
    public async Task Permanent_handler_failure_is_dead_lettered_at_once_with_the_handlers_error_type()
    {
        var topic = await KafkaCluster.CreateTopicAsync("permanent");
        var probe = new HandlerProbe { Behaviour = (_, _) => throw new PermanentMessageException("The tool is not registered.", "UnknownTool") };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe);
        var request = Messages.ToolRequest();

        var published = await KafkaCluster.Publisher.PublishAsync(topic, "k", request, Messages.Context(request));
        var deadLetter = (await TopicReader.ReadAsync(KafkaCluster.BootstrapServers, MeshTopics.Dlq(topic), 1, Deadline)).Single();

        Assert.Multiple(() =>
        {
            Assert.That(deadLetter.Headers[MeshHeaders.ErrorType], Is.EqualTo("UnknownTool"));
            Assert.That(deadLetter.Headers[MeshHeaders.ErrorMessage], Is.EqualTo("The tool is not registered."));
            Assert.That(deadLetter.Headers[MeshHeaders.Attempt], Is.EqualTo("1"));
            Assert.That(deadLetter.Headers[MeshHeaders.MessageId], Is.EqualTo(published.MessageId.ToString()));
            Assert.That(probe.Attempts, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Handler_that_keeps_failing_is_retried_up_to_the_limit_then_dead_lettered()
    {
        var topic = await KafkaCluster.CreateTopicAsync("exhausted");
        using var metrics = new MetricsProbe();
        var probe = new HandlerProbe { Behaviour = (_, _) => throw new TimeoutException("The tool did not answer.") };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe, o => o.MaxAttempts = 3);
        var request = Messages.ToolRequest();

        await KafkaCluster.Publisher.PublishAsync(topic, "k", request, Messages.Context(request));
        var deadLetter = (await TopicReader.ReadAsync(KafkaCluster.BootstrapServers, MeshTopics.Dlq(topic), 1, Deadline)).Single();
        await metrics.WaitForSumAsync(MessagingMetrics.ConsumedName, 1, ("topic", topic));

        Assert.Multiple(() =>
        {
            Assert.That(deadLetter.Headers[MeshHeaders.ErrorType], Is.EqualTo(nameof(TimeoutException)));
            Assert.That(deadLetter.Headers[MeshHeaders.Attempt], Is.EqualTo("3"));
            Assert.That(probe.Attempts.Select(a => a.Context.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(metrics.Sum(MessagingMetrics.ConsumedName, ("topic", topic), ("outcome", "dead_lettered")), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Transient_handler_failure_succeeds_on_retry_without_a_dead_letter()
    {
        var topic = await KafkaCluster.CreateTopicAsync("transient");
        using var metrics = new MetricsProbe();
        var probe = new HandlerProbe
        {
            Behaviour = (context, _) => context.Attempt < 3 ? throw new IOException("connection reset") : Task.CompletedTask,
        };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe, o => o.MaxAttempts = 5);
        var request = Messages.ToolRequest();

        await KafkaCluster.Publisher.PublishAsync(topic, "k", request, Messages.Context(request));
        await probe.WaitForHandledAsync(1);
        await metrics.WaitForSumAsync(MessagingMetrics.ConsumedName, 1, ("topic", topic));

        Assert.Multiple(() =>
        {
            Assert.That(probe.Handled.Single().Context.Attempt, Is.EqualTo(3));
            Assert.That(metrics.Sum(MessagingMetrics.ConsumedName, ("topic", topic), ("outcome", "retried")), Is.EqualTo(1));
            Assert.That(metrics.Sum(MessagingMetrics.DeadLettersName, ("topic", topic)), Is.Zero);
            Assert.That(TopicReader.HighWatermark(KafkaCluster.BootstrapServers, MeshTopics.Dlq(topic)), Is.Zero, "nothing was written to the dead-letter topic");
        });
    }

    [Test]
    public async Task Dead_letter_of_a_replayed_message_keeps_its_replay_origin_and_has_one_current_set_of_error_headers()
    {
        var topic = await KafkaCluster.CreateTopicAsync("again");
        var probe = new HandlerProbe { Behaviour = (_, _) => throw new PermanentMessageException("still broken") };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe);
        var headers = Messages.StandardHeaders();
        headers[MeshHeaders.ErrorType] = "OldError";
        headers[MeshHeaders.Attempt] = "9";
        headers[MeshHeaders.ReplayedFrom] = $"{topic}.dlq/0-4";

        await KcatProducer.ProduceAsync(KafkaCluster.BootstrapServers, topic, "k", Messages.Json(Messages.ToolRequest()), headers);
        var output = await Kcat.RunCheckedAsync(
            ["-C", "-b", KafkaCluster.BootstrapServers, "-t", MeshTopics.Dlq(topic), "-o", "beginning", "-c", "1", "-f", "%h\n"], timeout: Deadline);

        var names = output.Trim().Split(',').Select(h => h.Split('=', 2)[0]).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names.Count(n => n == MeshHeaders.ErrorType), Is.EqualTo(1));
            Assert.That(names.Count(n => n == MeshHeaders.Attempt), Is.EqualTo(1));
            Assert.That(output, Does.Contain($"{MeshHeaders.ErrorType}={PermanentMessageException.DefaultErrorType}"));
            Assert.That(output, Does.Contain($"{MeshHeaders.ReplayedFrom}={topic}.dlq/0-4"));
        });
    }
}
