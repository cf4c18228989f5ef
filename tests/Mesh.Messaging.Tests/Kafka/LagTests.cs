using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

public sealed class LagTests
{
    [Test]
    public async Task Lag_gauge_rises_while_the_consumer_is_held_up_and_paused_and_falls_once_it_catches_up()
    {
        var topic = await KafkaCluster.CreateTopicAsync("lag");
        using var metrics = new MetricsProbe();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Messages.ToolRequest();
        var probe = new HandlerProbe { Behaviour = (context, _) => context.Message.RequestId == first.RequestId ? Task.CompletedTask : release.Task };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe, o =>
        {
            o.StatisticsInterval = TimeSpan.FromSeconds(1);
            o.MaxQueuedPerPartition = 5;
        });
        (string, string)[] series = [("group", consumer.Host.GroupId), ("topic", topic), ("partition", "0")];

        await KafkaCluster.Publisher.PublishAsync(topic, "k", first, Messages.Context(first));
        await probe.WaitForHandledAsync(1);
        await Poll.UntilAsync(() => metrics.Observe(MessagingMetrics.ConsumerLagName, series) is [0], TimeSpan.FromSeconds(20), "a lag of 0 at first");
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
        {
            var request = Messages.ToolRequest();
            return KafkaCluster.Publisher.PublishAsync(topic, "k", request, Messages.Context(request));
        }));

        // Once five messages wait, the partition is paused and stops fetching, so the lag seen is at least five:
        // how far beyond that depends on how many messages the last fetch before the pause brought.
        await Poll.UntilAsync(() => metrics.Observe(MessagingMetrics.ConsumerLagName, series) is [>= 5], TimeSpan.FromSeconds(20), "a lag of at least 5");
        release.SetResult();
        await probe.WaitForHandledAsync(21);
        await Poll.UntilAsync(() => metrics.Observe(MessagingMetrics.ConsumerLagName, series) is [0], TimeSpan.FromSeconds(20), "the lag to fall to 0");

        await consumer.StopAsync(TimeSpan.FromSeconds(10));
        Assert.That(metrics.Observe(MessagingMetrics.ConsumerLagName, series), Is.Empty, "a stopped consumer reports no lag");
    }
}
