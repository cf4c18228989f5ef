using Mesh.Infra.Messaging;
using Mesh.Messaging.Tests.Support;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Kafka;

/// <summary>Several messages of one partition in flight at once, and what that leaves intact: stored offsets in order, at-least-once.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class InFlightTests
{
    [Test]
    public async Task Messages_of_one_partition_run_concurrently_up_to_the_in_flight_limit()
    {
        var topic = await KafkaCluster.CreateTopicAsync("in-flight");
        var concurrency = new ConcurrencyMeter();
        var allInside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new HandlerProbe
        {
            Behaviour = async (_, cancellationToken) =>
            {
                using var inside = concurrency.Enter();
                if (concurrency.Current >= 4)
                {
                    allInside.TrySetResult();
                }

                // Only four handlers running side by side open the gate: handled one at a time, none would finish.
                await allInside.Task.WaitAsync(cancellationToken);
            },
        };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, Group(), [topic], probe, maxInFlightPerPartition: 4);

        var published = await PublishAsync(topic, 10);
        await probe.WaitForHandledAsync(published.Count, TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(concurrency.Highest, Is.EqualTo(4), "four at once, never more");
            Assert.That(probe.Attempts, Has.Count.EqualTo(published.Count), "no attempt failed");
        });
    }

    [Test]
    public async Task By_default_a_partitions_messages_run_one_at_a_time_in_offset_order()
    {
        var topic = await KafkaCluster.CreateTopicAsync("one-at-a-time");
        var concurrency = new ConcurrencyMeter();
        var probe = new HandlerProbe
        {
            Behaviour = async (context, cancellationToken) =>
            {
                using var inside = concurrency.Enter();
                await Task.Delay(TimeSpan.FromMilliseconds(context.Offset % 3), cancellationToken);
            },
        };
        await using var consumer = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, topic, probe);

        var published = await PublishAsync(topic, 20);
        await probe.WaitForHandledAsync(published.Count);

        Assert.Multiple(() =>
        {
            Assert.That(concurrency.Highest, Is.EqualTo(1));
            Assert.That(probe.Handled.Select(h => h.Context.Offset), Is.EqualTo(published.Select(p => p.Offset)));
        });
    }

    [Test]
    public async Task Stored_offset_never_passes_an_unfinished_message_so_the_next_consumer_gets_it_again()
    {
        var topic = await KafkaCluster.CreateTopicAsync("unfinished");
        var group = Group();
        var probe = new HandlerProbe
        {
            // The first message of the new topic never finishes on this consumer; the four after it do.
            Behaviour = (context, cancellationToken) => context.Offset == 0 ? Task.Delay(Timeout.Infinite, cancellationToken) : Task.CompletedTask,
        };
        var first = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic], probe, maxInFlightPerPartition: 5);
        var published = await PublishAsync(topic, 5);
        await probe.WaitForHandledAsync(4);

        await first.StopAsync(grace: TimeSpan.FromMilliseconds(200));
        await using var next = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        await next.Probe.WaitForHandledAsync(published.Count);
        await first.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(probe.Handled.Select(h => h.Context.Offset), Is.EquivalentTo(published.Skip(1).Select(p => p.Offset)),
                "the first consumer finished every message but the first");
            Assert.That(next.Probe.Handled.Select(h => h.Context.Offset), Is.EqualTo(published.Select(p => p.Offset)),
                "nothing past the unfinished message was stored, so the next consumer starts at it and gets the rest again");
        });
    }

    [Test]
    public async Task Graceful_stop_finishes_the_messages_in_flight_and_stores_all_of_them()
    {
        var topic = await KafkaCluster.CreateTopicAsync("in-flight-graceful");
        var group = Group();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new HandlerProbe { Behaviour = (context, _) => context.Offset == 0 ? release.Task : Task.CompletedTask };
        var first = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic], probe, maxInFlightPerPartition: 5);
        var published = await PublishAsync(topic, 5);
        await probe.WaitForHandledAsync(4);

        var stopping = first.StopAsync(grace: TimeSpan.FromSeconds(30));
        release.SetResult();
        await stopping;
        var later = await PublishAsync(topic, 1);
        await using var next = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        await next.Probe.WaitForHandledAsync(1);
        await first.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(probe.Handled.Select(h => h.Context.Offset), Is.EquivalentTo(published.Select(p => p.Offset)));
            Assert.That(next.Probe.Handled.Select(h => h.Context.Offset), Is.EqualTo(new[] { later[0].Offset }),
                "the messages finished during the stop are not handled again");
        });
    }

    [Test]
    public async Task Revoked_partition_finishes_its_messages_in_flight_before_it_is_handed_on()
    {
        var topic = await KafkaCluster.CreateTopicAsync("in-flight-revoked", partitions: 2);
        var group = Group();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new HandlerProbe { Behaviour = (_, _) => release.Task };
        var published = await PublishAsync(topic, 40, key: () => Guid.NewGuid().ToString());
        Assume.That(published.Select(p => p.Partition).Distinct().Count(), Is.EqualTo(2), "the keys spread over both partitions");
        await using var stays = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic], held, maxInFlightPerPartition: 3);
        await held.WaitForAttemptsAsync(6);

        await using var joins = await ConsumerHarness.StartAsync(KafkaCluster.BootstrapServers, group, [topic]);
        await Poll.UntilAsync(() => stays.Host.AssignedPartitions.Count == 1, TimeSpan.FromSeconds(30), "the first member to give up a partition");
        release.SetResult();
        await Poll.UntilAsync(
            () => held.Handled.Count + joins.Probe.Handled.Count >= published.Count && joins.Host.AssignedPartitions.Count == 1,
            TimeSpan.FromSeconds(30), "every message handled and the second member owning a partition");

        var handled = held.HandledMessageIds.Concat(joins.Probe.HandledMessageIds).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(handled, Is.EquivalentTo(published.Select(p => p.MessageId.ToString())),
                "every message handled once: those in flight on the revoked partition were finished and stored before it moved");
            Assert.That(joins.Probe.Handled, Is.Not.Empty, "the second member took over a partition's remaining messages");
        });
    }

    private static string Group() => "group-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<List<PublishedMessage>> PublishAsync(string topic, int count, Func<string>? key = null)
    {
        var published = new List<PublishedMessage>();
        for (var i = 0; i < count; i++)
        {
            var request = Messages.ToolRequest();
            published.Add(await KafkaCluster.Publisher.PublishAsync(topic, key?.Invoke() ?? "k", request, Messages.Context(request)));
        }

        return published;
    }

    /// <summary>How many handlers are inside at once, and the most there ever were.</summary>
    private sealed class ConcurrencyMeter
    {
        private int current;
        private int highest;

        public int Current => Volatile.Read(ref current);

        public int Highest => Volatile.Read(ref highest);

        public IDisposable Enter()
        {
            var now = Interlocked.Increment(ref current);
            int seen;
            while (now > (seen = Volatile.Read(ref highest)) && Interlocked.CompareExchange(ref highest, now, seen) != seen)
            {
            }

            return new Exit(this);
        }

        private sealed class Exit(ConcurrencyMeter meter) : IDisposable
        {
            public void Dispose() => Interlocked.Decrement(ref meter.current);
        }
    }
}
