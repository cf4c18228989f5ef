using Mesh.Contracts.Conversations;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using Mesh.ConversationWorker.Storage;
using Mesh.ConversationWorker.Turns;
using Mesh.Infra.Redis;
using Mesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;
using StackExchange.Redis;

namespace Mesh.ConversationWorker.Tests.Integration;

/// <summary>
/// Turns whose tool calls the test answers itself (no executor runs): resuming after a worker crash, queueing,
/// cancelling and the tool-result deadline, on the real stack.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TurnLifecycleTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private WorkerStack stack = null!;

    [OneTimeSetUp]
    public async Task StartStackAsync() =>
        stack = await WorkerStack.StartAsync(["policy"], new Dictionary<string, string> { ["Agent__ToolResultTimeout"] = Deadline.ToString() });

    [OneTimeTearDown]
    public async Task StopStackAsync() => await stack.DisposeAsync();

    [Test]
    public async Task A_turn_whose_worker_dies_with_a_tool_call_outstanding_is_finished_by_the_next_worker()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "what is 2 + 3");
        var request = await stack.Recorder.WaitForRequestAsync(session, 1, Wait);

        stack.KillWorker();
        await stack.AnswerAsync(request, """{"result":5}""");
        await stack.StartWorkerAsync();

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the answer after the restart");
        Assert.Multiple(() =>
        {
            Assert.That(events.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)), "seq continues without gaps");
            Assert.That(events[^1].Type, Is.EqualTo(ConversationEventType.AssistantFinal));
            Assert.That(events[^1].Text, Is.EqualTo("2 + 3 = 5"));
            Assert.That(events.Count(e => e.Type == ConversationEventType.ToolStarted), Is.EqualTo(1));
            Assert.That(events.Single(e => e.Type == ConversationEventType.ToolCompleted).Tool!.Status, Is.EqualTo(ToolResultStatus.Succeeded));
            Assert.That(stack.Recorder.Requests(session).Select(r => r.RequestId).Distinct().Count(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_step_interrupted_mid_answer_runs_again_without_appending_what_it_had_sent()
    {
        // The state an interrupted step leaves: the turn saved as running, and the first delta of its answer sent.
        var session = Guid.NewGuid();
        var turns = new TurnStore(stack.Database);
        using var redis = new RedisConnection(stack.Stack.Redis.Configuration);
        var log = new EventLog(stack.Database, redis, Microsoft.Extensions.Options.Options.Create(new HistoryOptions()));
        var writers = new SessionWriters(stack.Database, log, stack.Publisher, TimeProvider.System, NullLogger<SessionWriter>.Instance);
        var loaded = await turns.LoadAsync(session, Guid.NewGuid(), ("dev", "dev-user"), CancellationToken.None);
        var writer = writers.Open(session, loaded.LastSeq, Guid.NewGuid().ToString());
        var queued = new Turn
        {
            TurnId = Guid.NewGuid(), SessionId = session, TenantId = "dev", ActorId = "dev-user", Content = "hello",
            Status = TurnStatus.Queued, AcceptedSeq = 1, AcceptedAt = DateTimeOffset.UtcNow,
        };
        await writer.CommitAsync([TurnEvents.Accepted(queued)], queued, insert: true, CancellationToken.None);
        var running = queued with
        {
            Status = TurnStatus.Running, StartedAt = DateTimeOffset.UtcNow, Tier = ModelTiers.CloudStandard,
            Messages = [new LlmMessage(ChatRoles.System, "prompt"), new LlmMessage(ChatRoles.User, "hello")],
        };
        await writer.CommitAsync([TurnEvents.Started(running)], running, insert: false, CancellationToken.None);
        var answer = OfflineModel.Reply(running.Messages, []).Text;
        var firstPiece = TextChunks.Split(answer, 3)[0];
        await writer.EmitAsync(TurnEvents.Deltas(running, firstPiece), CancellationToken.None);
        await stack.Recorder.WaitForEventsAsync(session, seen => seen.Any(e => e.Seq == 3), Wait, "the first piece, live");

        var next = await stack.SendAsync(session, "thanks");
        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, next.TurnId), Wait, "both answers");

        var logged = (await log.ReadAsync(session, 0, 1000, CancellationToken.None)).Events
            .Select(e => Contracts.Serialization.MeshJson.Deserialize<ConversationEvent>(e)).ToList();
        var resumed = logged.Where(e => e.TurnId == queued.TurnId).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(logged.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, logged.Count).Select(i => (long)i)), "the log has no gap");
            Assert.That(resumed.Count(e => e.Delta == firstPiece), Is.EqualTo(1), "the piece sent before is not appended again");
            Assert.That(string.Concat(resumed.Where(e => e.Type == ConversationEventType.AssistantDelta).Select(e => e.Delta)), Is.EqualTo(answer));
            Assert.That(resumed[^1].Type, Is.EqualTo(ConversationEventType.AssistantFinal));
            Assert.That(resumed[^1].Text, Is.EqualTo(answer));
            Assert.That(events.Count(e => e.Seq == 3), Is.EqualTo(2), "the piece was published again, under its own seq");
            Assert.That(logged.Last(e => e.TurnId == next.TurnId).Text, Is.EqualTo("You're welcome!"));
            Assert.That(logged.First(e => e.TurnId == next.TurnId).Seq, Is.GreaterThan(resumed[^1].Seq), "the new message waited for the resumed turn");
        });
    }

    [Test]
    public async Task Messages_sent_while_a_turn_runs_wait_and_start_in_order_after_it()
    {
        var session = Guid.NewGuid();
        var first = await stack.SendAsync(session, "what is 1 + 1");
        var request = await stack.Recorder.WaitForRequestAsync(session, 1, Wait);
        var second = await stack.SendAsync(session, "hello");
        var third = await stack.SendAsync(session, "thanks");
        var queued = await stack.Recorder.WaitForEventsAsync(session, e => e.Count(x => x.Type == ConversationEventType.MessageAccepted) == 3, Wait, "three accepted messages");

        await stack.AnswerAsync(request, """{"result":2}""");
        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, third.TurnId), Wait, "the third answer");

        long Seq(Guid turn, ConversationEventType type) => events.Single(e => e.TurnId == turn && e.Type == type).Seq;
        Assert.Multiple(() =>
        {
            Assert.That(queued.Where(e => e.TurnId != first.TurnId).Select(e => e.Type), Is.All.EqualTo(ConversationEventType.MessageAccepted),
                "while the first turn waits, the others are only accepted");
            Assert.That(Seq(first.TurnId, ConversationEventType.AssistantFinal), Is.LessThan(Seq(second.TurnId, ConversationEventType.AssistantStarted)));
            Assert.That(Seq(second.TurnId, ConversationEventType.AssistantFinal), Is.LessThan(Seq(third.TurnId, ConversationEventType.AssistantStarted)));
            Assert.That(events.Last(e => e.TurnId == second.TurnId).Text, Does.StartWith("Hello!"));
            Assert.That(events.Last(e => e.TurnId == third.TurnId).Text, Is.EqualTo("You're welcome!"));
            Assert.That(events.Select(e => e.Seq), Is.EqualTo(Enumerable.Range(1, events.Count).Select(i => (long)i)));
        });
    }

    [Test]
    public async Task Cancelling_a_turn_that_waits_for_a_tool_ends_it_and_cancels_the_call_at_the_executors()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "what is 8 * 8");
        var request = await stack.Recorder.WaitForRequestAsync(session, 1, Wait);
        using var redis = await ConnectionMultiplexer.ConnectAsync(stack.Stack.Redis.Configuration);
        var cancels = new List<string>();
        await redis.GetSubscriber().SubscribeAsync("tool-cancel", (_, id) => { lock (cancels) { cancels.Add((string)id!); } });

        await stack.CancelAsync(session, message.TurnId);
        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the cancellation");
        await Poll.UntilAsync(() => { lock (cancels) { return cancels.Count > 0; } }, Wait, "the cancel signal");
        await stack.AnswerAsync(request, """{"result":64}""");
        await Poll.UntilAsync(
            () => stack.WorkerProcess.Log.Split('\n').Any(line => line.Contains(request.RequestId.ToString("D"), StringComparison.Ordinal) && line.Contains("ignored: not awaited", StringComparison.Ordinal)),
            Wait, "the late result ignored");
        var marked = await redis.GetDatabase().KeyExistsAsync("tool-cancel:" + request.RequestId.ToString("D"));

        Assert.Multiple(() =>
        {
            Assert.That(events.Skip(events.Count - 2).Select(e => e.Type), Is.EqualTo(new[] { ConversationEventType.ToolCompleted, ConversationEventType.TurnCancelled }));
            Assert.That(events[^2].Tool!.Status, Is.EqualTo(ToolResultStatus.Cancelled));
            Assert.That(events[^1].Reason, Is.EqualTo("user"));
            Assert.That(cancels, Is.EqualTo(new[] { request.RequestId.ToString("D") }));
            Assert.That(marked, Is.True, "a request not yet started is never run");
            Assert.That(stack.Recorder.Events(session).Any(e => e.Type == ConversationEventType.AssistantFinal), Is.False);
        });
    }

    [Test]
    public async Task A_cancel_naming_no_known_turn_stops_the_turn_running_when_it_was_sent()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "what is 9 - 4");
        await stack.Recorder.WaitForRequestAsync(session, 1, Wait);

        await stack.CancelAsync(session, Guid.NewGuid());

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the cancellation");
        Assert.That(events[^1].Type, Is.EqualTo(ConversationEventType.TurnCancelled));
    }

    [Test]
    public async Task A_tool_result_that_never_comes_becomes_a_timeout_and_the_turn_still_answers()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "what is 9 * 9");
        var request = await stack.Recorder.WaitForRequestAsync(session, 1, Wait);

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), Wait, "the answer after the deadline");

        var synthesized = stack.Recorder.Results(session).Single();
        var started = events.Single(e => e.Type == ConversationEventType.ToolStarted).CreatedAt;
        var completed = events.Single(e => e.Type == ConversationEventType.ToolCompleted);
        Assert.Multiple(() =>
        {
            Assert.That(completed.Tool!.Status, Is.EqualTo(ToolResultStatus.Timeout));
            Assert.That(completed.CreatedAt - started, Is.GreaterThanOrEqualTo(Deadline - TimeSpan.FromMilliseconds(50)));
            Assert.That(events[^1].Text, Is.EqualTo("The math.evaluate tool did not answer in time, so I can't tell you that right now."));
            Assert.That((synthesized.RequestId, synthesized.Status, synthesized.ExecutorId), Is.EqualTo((request.RequestId, ToolResultStatus.Timeout, "conversation-worker")));
            Assert.That(request.Deadline, Is.Not.Null, "the executor is told the deadline too");
        });
    }
}
