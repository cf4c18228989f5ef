using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

[Parallelizable(ParallelScope.All)]
public sealed class DeliveryTests
{
    [Test]
    public async Task Message_whose_handler_was_cancelled_at_shutdown_is_redelivered_to_the_next_consumer_of_the_group()
    {
        var topic = await KafkaCluster.CreateTopicAsync("redelivered");
        var group = "group-" + Guid.NewGuid().ToString("N")[..8];
        var stuck = new HandlerProbe { Behaviour = (_, cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken) };
        var first = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic], stuck);
        var request = Messages.ToolRequest();
        var published = await KafkaCluster.Publisher.PublishAsync(topic, "k", request, Messages.Context(request));
        await stuck.WaitForAttemptsAsync(1);

        await first.StopAsync(grace: TimeSpan.FromMilliseconds(200));
        await using var second = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        await second.Probe.WaitForHandledAsync(1);
        await first.DisposeAsync();

        var redelivered = second.Probe.Handled.Single().Context;
        Assert.Multiple(() =>
        {
            Assert.That(stuck.Handled, Is.Empty, "the first consumer never finished the message");
            Assert.That(redelivered.MessageId, Is.EqualTo(published.MessageId.ToString()));
            Assert.That(redelivered.Offset, Is.EqualTo(published.Offset));
        });
    }

    [Test]
    public async Task Message_finished_during_a_graceful_stop_is_stored_and_not_redelivered()
    {
        var topic = await KafkaCluster.CreateTopicAsync("graceful");
        var group = "group-" + Guid.NewGuid().ToString("N")[..8];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = new HandlerProbe { Behaviour = (_, _) => release.Task };
        var first = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic], slow);
        var one = Messages.ToolRequest();
        await KafkaCluster.Publisher.PublishAsync(topic, "k", one, Messages.Context(one));
        await slow.WaitForAttemptsAsync(1);

        var stopping = first.StopAsync(grace: TimeSpan.FromSeconds(30));
        release.SetResult();
        await stopping;
        var two = Messages.ToolRequest();
        var second = await KafkaCluster.Publisher.PublishAsync(topic, "k", two, Messages.Context(two));
        await using var next = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        await next.Probe.WaitForHandledAsync(1);
        await first.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(slow.Handled.Select(h => h.Context.Message.RequestId), Is.EqualTo(new[] { one.RequestId }));
            Assert.That(next.Probe.Handled.Select(h => h.Context.MessageId), Is.EqualTo(new[] { second.MessageId.ToString() }),
                "the message finished during the stop is not handled again");
        });
    }

    [Test]
    public async Task A_stalled_partition_does_not_hold_up_the_others()
    {
        var topic = await KafkaCluster.CreateTopicAsync("independent", partitions: 2);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stalled = Messages.ToolRequest();
        var probe = new HandlerProbe { Behaviour = (context, _) => context.Message.RequestId == stalled.RequestId ? release.Task : Task.CompletedTask };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe);
        var stalledAt = await KafkaCluster.Publisher.PublishAsync(topic, "stalled", stalled, Messages.Context(stalled));
        await probe.WaitForAttemptsAsync(1);

        var others = await PublishUntilAsync(topic, published => published.Any(p => p.Partition != stalledAt.Partition));
        var elsewhere = others.Last();
        await Poll.UntilAsync(() => probe.HandledMessageIds.Contains(elsewhere.MessageId.ToString()), TimeSpan.FromSeconds(20), "the other partition's message");
        var handledWhileStalled = probe.Handled.Count;
        release.SetResult();
        await probe.WaitForHandledAsync(others.Count + 1);

        Assert.Multiple(() =>
        {
            Assert.That(handledWhileStalled, Is.EqualTo(others.Count(p => p.Partition != stalledAt.Partition)),
                "everything on the other partition, nothing queued behind the stalled message");
            Assert.That(probe.Handled[handledWhileStalled].Context.Message.RequestId, Is.EqualTo(stalled.RequestId));
        });
    }

    [Test]
    public async Task Range_assignment_gives_each_member_the_same_partitions_of_co_partitioned_topics()
    {
        var inbound = await KafkaCluster.CreateTopicAsync("co-inbound", partitions: 4);
        var results = await KafkaCluster.CreateTopicAsync("co-results", partitions: 4);
        var group = "group-" + Guid.NewGuid().ToString("N")[..8];
        void Range(MeshConsumerOptions o) => o.Assignment = PartitionAssignment.Range;

        await using var one = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [inbound, results], configure: Range);
        await using var two = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [inbound, results], configure: Range);
        await Poll.UntilAsync(
            () => one.Host.AssignedPartitions.Count == 4 && two.Host.AssignedPartitions.Count == 4,
            TimeSpan.FromSeconds(30), "both members to own half of the partitions");

        Assert.Multiple(() =>
        {
            foreach (var member in new[] { one, two })
            {
                Assert.That(Partitions(member, inbound), Is.EqualTo(Partitions(member, results)));
            }

            Assert.That(Partitions(one, inbound).Concat(Partitions(two, inbound)), Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
        });
    }

    [Test]
    public async Task Cooperative_member_that_leaves_hands_its_partitions_to_the_one_that_stays()
    {
        var topic = await KafkaCluster.CreateTopicAsync("cooperative", partitions: 4);
        var group = "group-" + Guid.NewGuid().ToString("N")[..8];
        await using var stays = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        var leaves = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        await Poll.UntilAsync(
            () => stays.Host.AssignedPartitions.Count == 2 && leaves.Host.AssignedPartitions.Count == 2,
            TimeSpan.FromSeconds(30), "both members to own two partitions");

        await leaves.DisposeAsync();
        await Poll.UntilAsync(() => stays.Host.AssignedPartitions.Count == 4, TimeSpan.FromSeconds(30), "the remaining member to own all partitions");
        var published = await PublishUntilAsync(topic, sent => sent.Select(p => p.Partition).Distinct().Count() == 4);

        await stays.Probe.WaitForHandledAsync(published.Count);
        Assert.That(stays.Probe.Handled.Select(h => h.Context.Partition).Distinct(), Is.EquivalentTo(new[] { 0, 1, 2, 3 }));
    }

    private static List<int> Partitions(ConsumerHarness member, string topic) =>
        [.. member.Host.AssignedPartitions.Where(p => p.Topic == topic).Select(p => p.Partition.Value).Order()];

    /// <summary>Publishes messages with new keys until <paramref name="enough"/> holds for what was published.</summary>
    private static async Task<List<PublishedMessage>> PublishUntilAsync(string topic, Func<List<PublishedMessage>, bool> enough)
    {
        var published = new List<PublishedMessage>();
        while (!enough(published))
        {
            Assert.That(published, Has.Count.LessThan(100), "the partitioner spreads keys");
            var request = Messages.ToolRequest();
            published.Add(await KafkaCluster.Publisher.PublishAsync(topic, request.SessionId.ToString(), request, Messages.Context(request)));
        }

        return published;
    }
}
