using System.Text.Json;
using Mesh.Contracts.Common;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Tools;
using Mesh.ConversationWorker.Domain;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class TurnDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 14, 9, 30, 0, TimeSpan.Zero);

    [Test]
    public void An_answer_without_tool_calls_finishes_the_turn()
    {
        var outcome = TurnDecisions.AfterModel(Running(iteration: 1), ModelReply.FromText("Hi there."), 6, Now, 1000);
        Assert.That(outcome, Is.EqualTo(new FinishTurn("Hi there.")));
    }

    [Test]
    public void Tool_calls_become_a_batch_with_deterministic_request_ids()
    {
        var turn = Running(iteration: 2) with { NextCallIndex = 3 };
        var reply = new ModelReply("Let me check.", [new LlmToolCall("c1", "math.evaluate", """{"expression":"1+1"}"""), new LlmToolCall("c2", "clock.now", "{}")]);

        var outcome = (CallTools)TurnDecisions.AfterModel(turn, reply, 6, Now.AddSeconds(30), 1000);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Turn.Status, Is.EqualTo(TurnStatus.WaitingTools));
            Assert.That(outcome.Turn.Calls.Select(c => c.CallIndex), Is.EqualTo(new[] { 3, 4 }));
            Assert.That(outcome.Turn.Calls.Select(c => c.RequestId), Is.EqualTo(new[]
            {
                RequestIds.ForToolCall(turn.SessionId, turn.TurnId, 3),
                RequestIds.ForToolCall(turn.SessionId, turn.TurnId, 4),
            }));
            Assert.That(outcome.Turn.NextCallIndex, Is.EqualTo(5));
            Assert.That(outcome.Turn.Deadline, Is.EqualTo(Now.AddSeconds(30)));
            Assert.That(outcome.Turn.RequestsPublished, Is.False);
            Assert.That(outcome.Turn.Messages[^1], Is.EqualTo(new LlmMessage(ChatRoles.Assistant, "Let me check.", reply.ToolCalls)));
            Assert.That(outcome.Turn.CallSignatures, Has.Count.EqualTo(2));
            Assert.That(outcome.Batch, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public void Tool_calls_past_the_iteration_limit_stop_the_turn()
    {
        var outcome = TurnDecisions.AfterModel(Running(iteration: 6), new ModelReply("", [new LlmToolCall("c", "echo", "{}")]), 6, Now, 1000);
        Assert.That(outcome, Is.TypeOf<FailTurn>().With.Property(nameof(FailTurn.Code)).EqualTo("max_iterations"));
    }

    [Test]
    public void A_tool_call_repeated_from_an_earlier_batch_stops_the_turn()
    {
        var turn = Running(iteration: 2) with { CallSignatures = [TurnGuards.Signature("echo", """{"text":"x"}""")] };
        var outcome = TurnDecisions.AfterModel(turn, new ModelReply("", [new LlmToolCall("c", "echo", """{"text": "x"}""")]), 6, Now, 1000);
        Assert.That(outcome, Is.TypeOf<FailTurn>().With.Property(nameof(FailTurn.Code)).EqualTo("repeated_tool_call"));
    }

    [Test]
    public void Calls_that_cannot_be_sent_are_answered_at_once_and_the_turn_runs_on()
    {
        var reply = new ModelReply("", [new LlmToolCall("c1", "echo", "[1,2]"), new LlmToolCall("c2", "no such tool!", "{}")]);

        var outcome = (CallTools)TurnDecisions.AfterModel(Running(iteration: 1), reply, 6, Now, 1000);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Batch.Select(c => c.Status), Is.EqualTo(new ToolResultStatus?[] { ToolResultStatus.InvalidArguments, ToolResultStatus.UnknownTool }));
            Assert.That(outcome.Batch[1].Tool, Is.EqualTo("no_such_tool_"), "a name events can carry");
            Assert.That(outcome.Turn.Status, Is.EqualTo(TurnStatus.Running));
            Assert.That(outcome.Turn.Calls, Is.Empty);
            Assert.That(outcome.Turn.Messages.TakeLast(2).Select(m => m.ToolCallId), Is.EqualTo(new[] { "c1", "c2" }));
        });
    }

    [Test]
    public void A_delegated_turn_sends_only_the_tools_its_grant_allows_and_denies_the_rest_on_the_spot()
    {
        var turn = Running(iteration: 1) with { Labels = new Dictionary<string, string> { [DelegationGrant.AllowedToolsLabel] = "echo,clock.now" } };
        var reply = new ModelReply("", [new LlmToolCall("c1", "echo", "{}"), new LlmToolCall("c2", "kv.set", """{"key":"k","value":"v"}""")]);

        var outcome = (CallTools)TurnDecisions.AfterModel(turn, reply, 6, Now, 1000);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Batch.Select(c => c.Status), Is.EqualTo(new ToolResultStatus?[] { null, ToolResultStatus.Denied }));
            Assert.That(outcome.Batch[1].ModelContent, Does.Contain("tool_not_allowed"));
            Assert.That(outcome.Turn.Status, Is.EqualTo(TurnStatus.WaitingTools), "the allowed call still goes out");
            Assert.That(outcome.Turn.Calls.Where(c => !c.Resolved).Select(c => c.Tool), Is.EqualTo(new[] { "echo" }));
        });
    }

    [Test]
    public void A_result_is_taken_and_the_turn_waits_for_the_rest_of_its_batch()
    {
        var turn = Waiting(2);
        var applied = TurnDecisions.ApplyResult(turn, turn.Calls[1].RequestId, ToolResultStatus.Succeeded, Json("5"), null, false, 1000);
        Assert.Multiple(() =>
        {
            Assert.That(applied!.Call.CallIndex, Is.EqualTo(1));
            Assert.That(applied.Turn.Status, Is.EqualTo(TurnStatus.WaitingTools));
            Assert.That(applied.Turn.Calls.Count(c => c.Resolved), Is.EqualTo(1));
        });
    }

    [Test]
    public void The_last_result_of_a_batch_adds_all_results_in_call_order_and_runs_the_turn()
    {
        var turn = Waiting(2);
        var first = TurnDecisions.ApplyResult(turn, turn.Calls[1].RequestId, ToolResultStatus.Succeeded, Json("\"second\""), null, false, 1000)!;
        var last = TurnDecisions.ApplyResult(first.Turn, turn.Calls[0].RequestId, ToolResultStatus.Timeout, null, new ErrorDetail("timeout", "late"), false, 1000)!;

        Assert.Multiple(() =>
        {
            Assert.That(last.Turn.Status, Is.EqualTo(TurnStatus.Running));
            Assert.That(last.Turn.Deadline, Is.Null);
            Assert.That(last.Turn.Calls, Is.Empty);
            Assert.That(last.Turn.Messages.TakeLast(2).Select(m => m.ToolCallId), Is.EqualTo(new[] { "call-0", "call-1" }));
            Assert.That(last.Turn.Messages[^2].Content, Is.EqualTo("""{"status":"timeout","error":{"code":"timeout","message":"late"}}"""));
            Assert.That(last.Turn.Messages[^1].Content, Is.EqualTo("""{"status":"succeeded","output":"second"}"""));
        });
    }

    [Test]
    public void A_repeated_or_unknown_result_is_not_taken()
    {
        var turn = Waiting(1);
        var applied = TurnDecisions.ApplyResult(turn, turn.Calls[0].RequestId, ToolResultStatus.Succeeded, Json("1"), null, false, 1000)!;
        Assert.Multiple(() =>
        {
            Assert.That(TurnDecisions.ApplyResult(applied.Turn, turn.Calls[0].RequestId, ToolResultStatus.Succeeded, Json("1"), null, false, 1000), Is.Null);
            Assert.That(TurnDecisions.ApplyResult(turn, Guid.NewGuid(), ToolResultStatus.Succeeded, Json("1"), null, false, 1000), Is.Null);
        });
    }

    [Test]
    public void A_long_output_is_cut_for_the_model_and_marked_truncated()
    {
        var turn = Waiting(1);
        var applied = TurnDecisions.ApplyResult(turn, turn.Calls[0].RequestId, ToolResultStatus.Succeeded, Json($"\"{new string('x', 500)}\""), null, false, 100)!;
        using var content = JsonDocument.Parse(applied.Turn.Messages[^1].Content!);
        Assert.Multiple(() =>
        {
            Assert.That(content.RootElement.GetProperty("output").GetString(), Has.Length.EqualTo(100));
            Assert.That(content.RootElement.GetProperty("truncated").GetBoolean(), Is.True);
        });
    }

    [Test]
    public void Messages_queue_until_the_queue_is_full_and_a_known_turn_is_a_duplicate()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TurnDecisions.OnMessage(turnKnown: true, sessionBusy: false, queued: 0, maxQueued: 5), Is.EqualTo(InboundDecision.Duplicate));
            Assert.That(TurnDecisions.OnMessage(false, sessionBusy: false, queued: 0, maxQueued: 0), Is.EqualTo(InboundDecision.Queue), "an idle session takes it at once");
            Assert.That(TurnDecisions.OnMessage(false, sessionBusy: true, queued: 4, maxQueued: 5), Is.EqualTo(InboundDecision.Queue));
            Assert.That(TurnDecisions.OnMessage(false, sessionBusy: true, queued: 5, maxQueued: 5), Is.EqualTo(InboundDecision.Refuse));
        });
    }

    [Test]
    public void A_cancel_stops_the_named_turn_unless_it_is_over()
    {
        var active = Waiting(1);
        var queued = Running(0) with { Status = TurnStatus.Queued };
        var done = Running(1) with { Status = TurnStatus.Completed };
        Assert.Multiple(() =>
        {
            Assert.That(TurnDecisions.CancelTarget(queued, active, Now), Is.SameAs(queued));
            Assert.That(TurnDecisions.CancelTarget(active, active, Now), Is.SameAs(active));
            Assert.That(TurnDecisions.CancelTarget(done, active, Now), Is.Null);
        });
    }

    [Test]
    public void A_cancel_of_an_unknown_turn_stops_the_turn_running_when_it_was_sent()
    {
        var active = Waiting(1) with { StartedAt = Now };
        Assert.Multiple(() =>
        {
            Assert.That(TurnDecisions.CancelTarget(null, active, Now.AddSeconds(1)), Is.SameAs(active));
            Assert.That(TurnDecisions.CancelTarget(null, active, Now.AddSeconds(-1)), Is.Null, "that turn started after the request");
            Assert.That(TurnDecisions.CancelTarget(null, null, Now), Is.Null);
        });
    }

    [Test]
    public void Cancelling_marks_outstanding_calls_cancelled()
    {
        var turn = Waiting(2);
        var partly = TurnDecisions.ApplyResult(turn, turn.Calls[0].RequestId, ToolResultStatus.Succeeded, Json("1"), null, false, 1000)!.Turn;
        var cancelled = TurnDecisions.Cancel(partly, Now);
        Assert.Multiple(() =>
        {
            Assert.That(cancelled.Status, Is.EqualTo(TurnStatus.Cancelled));
            Assert.That(cancelled.Calls.Select(c => c.Status), Is.EqualTo(new ToolResultStatus?[] { ToolResultStatus.Succeeded, ToolResultStatus.Cancelled }));
            Assert.That(cancelled.IsOver, Is.True);
            Assert.That(cancelled.EndedAt, Is.EqualTo(Now));
        });
    }

    private static Turn Running(int iteration) => new()
    {
        TurnId = Guid.Parse("7d3f9b1e-5a2c-4f6e-8b0d-2e4f6a8c0b1d"),
        SessionId = Guid.Parse("0b5e7f3a-2c4d-4e8f-9a1b-3c5d7e9f1a2b"),
        TenantId = "acme",
        ActorId = "alice",
        Content = "question",
        Status = TurnStatus.Running,
        AcceptedSeq = 1,
        AcceptedAt = Now,
        StartedAt = Now,
        Iteration = iteration,
        Messages = [new LlmMessage(ChatRoles.User, "question")],
    };

    private static Turn Waiting(int calls)
    {
        var reply = new ModelReply("", [.. Enumerable.Range(0, calls).Select(i => new LlmToolCall($"call-{i}", "echo", $$"""{"n":{{i}}}"""))]);
        return ((CallTools)TurnDecisions.AfterModel(Running(1), reply, 6, Now.AddSeconds(30), 1000)).Turn;
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;
}
