using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

[TestFixture]
public sealed class SchedulerTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 14, 9, 30, 0, TimeSpan.Zero);
    private static readonly Guid Root = Guid.NewGuid();
    private static readonly Guid A = Guid.NewGuid();
    private static readonly Guid B = Guid.NewGuid();
    private static readonly Guid C = Guid.NewGuid();

    private static TaskSnapshot Aggregate(DelegationStatus status = DelegationStatus.Running) =>
        new(Root, null, 0, 0, TaskKind.Aggregate, "root", [], status);

    private static TaskSnapshot Work(Guid id, int ordinal, DelegationStatus status, Guid[]? dependsOn = null, string? result = null, DateTimeOffset? startedAt = null) =>
        new(id, Root, ordinal, 1, TaskKind.Work, $"task {ordinal}", dependsOn ?? [], status, result, status == DelegationStatus.Failed ? "child_error" : null,
            startedAt ?? (status == DelegationStatus.Running ? Now : null));

    private static ExecutionSnapshot Execution(
        IReadOnlyList<TaskSnapshot> tasks, FailurePolicy policy = FailurePolicy.BestEffort, int maxParallel = 4,
        DateTimeOffset? deadline = null, long? tokenBudget = null, long tokensUsed = 0) =>
        new(Guid.NewGuid(), DelegationStatus.Running, policy, maxParallel, TimeSpan.FromMinutes(1), deadline, tokenBudget, tokensUsed, tasks);

    [Test]
    public void Independent_tasks_start_together_up_to_the_parallel_bound_in_plan_order()
    {
        var decision = Scheduler.Decide(
            Execution([Aggregate(), Work(A, 1, DelegationStatus.Pending), Work(B, 2, DelegationStatus.Pending), Work(C, 3, DelegationStatus.Pending)], maxParallel: 2), Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Dispatch, Is.EqualTo(new[] { A, B }));
            Assert.That(decision.Finish, Is.Null);
        });
    }

    [Test]
    public void Dependent_task_waits_until_its_dependency_completed()
    {
        var waiting = Scheduler.Decide(Execution([Aggregate(), Work(A, 1, DelegationStatus.Running), Work(B, 2, DelegationStatus.Pending, [A])]), Now);
        var ready = Scheduler.Decide(Execution([Aggregate(), Work(A, 1, DelegationStatus.Completed, result: "x"), Work(B, 2, DelegationStatus.Pending, [A])]), Now);

        Assert.Multiple(() =>
        {
            Assert.That(waiting.IsEmpty, Is.True);
            Assert.That(ready.Dispatch, Is.EqualTo(new[] { B }));
        });
    }

    [Test]
    public void Aggregate_runs_once_every_sub_task_ended_and_one_completed()
    {
        var decision = Scheduler.Decide(
            Execution([Aggregate(), Work(A, 1, DelegationStatus.Completed, result: "a"), Work(B, 2, DelegationStatus.Failed)]), Now);

        Assert.That(decision.Aggregate, Is.EqualTo(new[] { Root }));
    }

    [Test]
    public void Best_effort_cancels_dependents_of_a_failed_task_and_fails_an_aggregate_with_nothing_completed()
    {
        var skip = Scheduler.Decide(Execution([Aggregate(), Work(A, 1, DelegationStatus.Failed), Work(B, 2, DelegationStatus.Pending, [A])]), Now);
        var allFailed = Scheduler.Decide(Execution([Aggregate(), Work(A, 1, DelegationStatus.Failed), Work(B, 2, DelegationStatus.Cancelled)]), Now);

        Assert.Multiple(() =>
        {
            Assert.That(skip.End.Single().TaskId, Is.EqualTo(B));
            Assert.That(skip.End.Single().Outcome.Status, Is.EqualTo(DelegationStatus.Cancelled));
            Assert.That(skip.End.Single().Outcome.ErrorCode, Is.EqualTo(ErrorCodes.DependencyFailed));
            Assert.That(allFailed.End.Single().TaskId, Is.EqualTo(Root));
            Assert.That(allFailed.End.Single().Outcome.ErrorCode, Is.EqualTo(ErrorCodes.AllSubtasksFailed));
        });
    }

    [Test]
    public void Fail_fast_ends_the_execution_at_the_first_failed_task()
    {
        var decision = Scheduler.Decide(
            Execution([Aggregate(), Work(A, 1, DelegationStatus.Failed), Work(B, 2, DelegationStatus.Running)], FailurePolicy.FailFast), Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Finish?.Status, Is.EqualTo(DelegationStatus.Failed));
            Assert.That(decision.Finish?.ErrorCode, Is.EqualTo(ErrorCodes.TaskFailed));
        });
    }

    [Test]
    public void Execution_ends_with_the_root_tasks_result()
    {
        var completed = Scheduler.Decide(Execution([Aggregate(DelegationStatus.Completed) with { Result = "final" }]), Now);
        var failed = Scheduler.Decide(Execution([Aggregate(DelegationStatus.Failed) with { ErrorCode = ErrorCodes.AllSubtasksFailed }]), Now);

        Assert.Multiple(() =>
        {
            Assert.That(completed.Finish, Is.EqualTo(Outcome.Completed("final")));
            Assert.That(failed.Finish?.Status, Is.EqualTo(DelegationStatus.Failed));
            Assert.That(failed.Finish?.ErrorCode, Is.EqualTo(ErrorCodes.AllSubtasksFailed));
        });
    }

    [Test]
    public void Task_past_its_timeout_fails_and_the_next_deadline_is_the_earliest_one()
    {
        var started = Now - TimeSpan.FromMinutes(2);
        var execution = Execution([Aggregate(), Work(A, 1, DelegationStatus.Running, startedAt: started), Work(B, 2, DelegationStatus.Running)], deadline: Now + TimeSpan.FromHours(1));
        var decision = Scheduler.Decide(execution, Now);

        Assert.Multiple(() =>
        {
            Assert.That(decision.End.Single().TaskId, Is.EqualTo(A));
            Assert.That(decision.End.Single().Outcome.ErrorCode, Is.EqualTo(ErrorCodes.TaskTimeout));
            Assert.That(Scheduler.NextDue(execution), Is.EqualTo(started + TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public void Time_budget_ending_fails_the_execution()
    {
        var decision = Scheduler.Decide(Execution([Aggregate(), Work(A, 1, DelegationStatus.Running)], deadline: Now), Now);

        Assert.That(decision.Finish?.ErrorCode, Is.EqualTo(ErrorCodes.TimeBudgetExhausted));
    }

    [TestCase(100, 99, false)]
    [TestCase(100, 100, true)]
    [TestCase(100, 101, true)]
    public void Token_budget_runs_out_when_reached_with_work_left(long budget, long used, bool exhausted)
    {
        var decision = Scheduler.Decide(
            Execution([Aggregate(), Work(A, 1, DelegationStatus.Completed, result: "a"), Work(B, 2, DelegationStatus.Pending)], tokenBudget: budget, tokensUsed: used), Now);

        Assert.That(decision.Finish?.ErrorCode, exhausted ? Is.EqualTo(ErrorCodes.TokenBudgetExhausted) : Is.Null);
    }

    [Test]
    public void Context_of_a_task_holds_the_results_it_depends_on_including_those_of_tasks_above_it()
    {
        var inner = Guid.NewGuid();
        var execution = Execution(
        [
            Aggregate(),
            Work(A, 1, DelegationStatus.Completed, result: "figures"),
            new TaskSnapshot(B, Root, 2, 1, TaskKind.Aggregate, "report", [A], DelegationStatus.Pending),
            new TaskSnapshot(inner, B, 3, 2, TaskKind.Work, "write", [], DelegationStatus.Pending),
        ]);

        Assert.Multiple(() =>
        {
            Assert.That(Scheduler.Context(execution, inner).Select(t => t.Result), Is.EqualTo(new[] { "figures" }));
            Assert.That(Scheduler.Decide(execution, Now).Dispatch, Is.EqualTo(new[] { inner }));
        });
    }
}
