using System.Collections.Concurrent;
using Mesh.ToolExecutor.Execution;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class BatchWriterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Writes_queued_while_a_batch_is_on_its_way_go_together_in_the_next_one_and_each_caller_gets_its_own_result()
    {
        var batches = new ConcurrentQueue<int[]>();
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new BatchWriter<int, string>(Key, async items =>
        {
            batches.Enqueue([.. items]);
            firstStarted.TrySetResult();
            await release.Task;
            return [.. items.Select(i => $"row {i}")];
        }, writers: 1, maxBatch: 4);

        var first = writer.WriteAsync(0, CancellationToken.None);
        await firstStarted.Task.WaitAsync(Patience);
        var rest = Enumerable.Range(1, 9).Select(i => writer.WriteAsync(i, CancellationToken.None)).ToList();
        release.SetResult();
        var results = await Task.WhenAll(rest.Prepend(first)).WaitAsync(Patience);

        Assert.Multiple(() =>
        {
            Assert.That(batches.Select(b => b.Length), Is.EqualTo(new[] { 1, 4, 4, 1 }));
            Assert.That(results, Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"row {i}")));
        });
    }

    [Test]
    public async Task A_failed_batch_fails_its_own_callers_only()
    {
        var calls = 0;
        await using var writer = new BatchWriter<int, int>(Key, items =>
            Interlocked.Increment(ref calls) == 1
                ? Task.FromException<IReadOnlyList<int>>(new InvalidOperationException("the database went away"))
                : Task.FromResult<IReadOnlyList<int>>([.. items]), writers: 1, maxBatch: 10);

        var failed = writer.WriteAsync(1, CancellationToken.None);
        Assert.That(async () => await failed.WaitAsync(Patience), Throws.InvalidOperationException.With.Message.Contains("went away"));
        Assert.That(await writer.WriteAsync(2, CancellationToken.None).WaitAsync(Patience), Is.EqualTo(2));
    }

    [Test]
    public async Task A_second_write_of_the_same_row_in_one_batch_fails_and_the_first_is_written()
    {
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new ConcurrentQueue<int>();
        await using var writer = new BatchWriter<int, int>(Key, async items =>
        {
            firstStarted.TrySetResult();
            await release.Task;
            foreach (var item in items)
            {
                written.Enqueue(item);
            }
            return [.. items];
        }, writers: 1, maxBatch: 10);

        var blocker = writer.WriteAsync(0, CancellationToken.None);
        await firstStarted.Task.WaitAsync(Patience);
        var once = writer.WriteAsync(7, CancellationToken.None);
        var twice = writer.WriteAsync(7, CancellationToken.None);
        release.SetResult();

        Assert.That(async () => await twice.WaitAsync(Patience), Throws.InvalidOperationException);
        await Task.WhenAll(blocker, once).WaitAsync(Patience);
        Assert.That(written, Is.EqualTo(new[] { 0, 7 }));
    }

    [Test]
    public async Task Disposing_writes_what_is_queued_and_then_refuses_more()
    {
        var written = new ConcurrentQueue<int>();
        var writer = new BatchWriter<int, int>(Key, items =>
        {
            foreach (var item in items)
            {
                written.Enqueue(item);
            }
            return Task.FromResult<IReadOnlyList<int>>([.. items]);
        }, writers: 2, maxBatch: 3);
        var writes = Enumerable.Range(0, 20).Select(i => writer.WriteAsync(i, CancellationToken.None)).ToList();

        await writer.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(writes.All(w => w.IsCompletedSuccessfully), Is.True, "every queued write finished before disposing returned");
            Assert.That(written, Is.EquivalentTo(Enumerable.Range(0, 20)));
            Assert.That(() => writer.WriteAsync(99, CancellationToken.None), Throws.InstanceOf<ObjectDisposedException>());
        });
    }

    private static Guid Key(int item) => new(item, 0, 0, new byte[8]);
}
