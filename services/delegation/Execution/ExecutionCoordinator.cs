using System.Collections.Concurrent;
using Mesh.Contracts.Common;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.External;
using Mesh.Delegation.Options;
using Mesh.Delegation.Planning;
using Mesh.Delegation.Receipts;
using Mesh.Delegation.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation.Execution;

/// <summary>
/// Drives executions. Every change to one execution (planning, a child's final event, a deadline, a cancel) runs
/// under that execution's gate: it reloads the execution from PostgreSQL, applies the change, then applies the
/// <see cref="Scheduler"/>'s decisions until none is left. PostgreSQL is the only state that matters, so a restarted
/// process resumes every unfinished execution (<see cref="ResumeAsync"/>) and carries on where it stopped.
/// Executions of profiles forwarded to the external executor are run by <see cref="RomaRunner"/> instead.
/// </summary>
public sealed class ExecutionCoordinator(
    ExecutionStore store,
    ChildSessions children,
    IGoalSplitter splitter,
    IAggregator aggregator,
    ReceiptService receipts,
    RomaRunner roma,
    IOptions<DelegationOptions> options,
    TimeProvider time,
    ILogger<ExecutionCoordinator> logger) : IDisposable
{
    private readonly ConcurrentDictionary<Guid, ActiveExecution> active = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> waiters = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private readonly DelegationOptions settings = options.Value;

    /// <summary>Completes once the unfinished executions were reloaded after start.</summary>
    public Task Ready => ready.Task;

    /// <summary>Starts (or continues) an execution in the background.</summary>
    public void Launch(Guid executionId) => _ = Task.Run(() => RunAsync(executionId, stopping.Token));

    /// <summary>Cancels an unfinished execution, its running child sessions and its nested executions.</summary>
    /// <returns>The execution as it ended, or as it already was when it had ended before; null when it does not exist.</returns>
    public async Task<ExecutionRecord?> CancelAsync(Guid executionId, string code, string message, CancellationToken cancellationToken)
    {
        var handle = active.GetOrAdd(executionId, _ => new ActiveExecution());
        await handle.Gate.WaitAsync(cancellationToken);
        try
        {
            var execution = await store.GetAsync(executionId, null, cancellationToken);
            if (execution is null || Statuses.IsTerminal(execution.Status))
            {
                Forget(executionId);
            }
            else
            {
                handle.External?.Cancel();
                await FinishAsync(execution, Outcome.Cancelled(code, message), cancellationToken);
                if (execution.ExternalId is { } externalId)
                {
                    await roma.CancelRemoteAsync(externalId);
                }
            }
        }
        finally
        {
            handle.Gate.Release();
        }

        return await store.GetAsync(executionId, null, cancellationToken);
    }

    /// <summary>Applies a child session's final event (answer, error or cancellation) to its task.</summary>
    public async Task OnChildEventAsync(ChildRef child, ConversationEvent conversationEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(child);
        ArgumentNullException.ThrowIfNull(conversationEvent);
        var outcome = conversationEvent.Type switch
        {
            ConversationEventType.AssistantFinal => Outcome.Completed(conversationEvent.Text ?? ""),
            ConversationEventType.Error => Outcome.Failed(
                ErrorCodes.ChildError, $"{conversationEvent.Error?.Code ?? "error"}: {conversationEvent.Error?.Message ?? "the child session failed"}"),
            _ => Outcome.Cancelled(ErrorCodes.ChildCancelled, $"The child session's turn was cancelled ({conversationEvent.Reason ?? "no reason"})."),
        };
        var usage = conversationEvent.Usage;
        await AdvanceAsync(child.ExecutionId, async execution =>
        {
            if (await store.EndTaskAsync(execution.Id, child.TaskId, outcome, usage?.InputTokens ?? 0, usage?.OutputTokens ?? 0, time.GetUtcNow(), cancellationToken))
            {
                Log.TaskEnded(logger, execution.Id, child.TaskId, Statuses.Name(outcome.Status));
                DelegationMetrics.TasksInFlight.Add(-1);
            }

            children.Forget(conversationEvent.SessionId);
        }, cancellationToken);
    }

    /// <summary>Waits until the execution reaches a terminal state or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForEndAsync(Guid executionId, Func<Task<bool>> hasEnded, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hasEnded);
        var waiter = waiters.GetOrAdd(executionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (await hasEnded())
        {
            // It ended before this wait: nothing will complete the waiter any more.
            waiters.TryRemove(new KeyValuePair<Guid, TaskCompletionSource>(executionId, waiter));
            return;
        }

        await Task.WhenAny(waiter.Task, Task.Delay(timeout, time, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Reloads every unfinished execution after a start: running child sessions are tracked again (their final events
    /// may still be waiting on <c>conversation.outbound</c>) and each execution continues.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var unfinished = await store.UnfinishedAsync(cancellationToken);
        Log.Resuming(logger, unfinished.Count);
        var statuses = new List<DelegationStatus>();
        var running = new List<(Guid Session, ChildRef Child)>();
        foreach (var id in unfinished)
        {
            if (await store.GetAsync(id, null, cancellationToken) is not { } execution)
            {
                continue;
            }

            statuses.Add(execution.Status);
            foreach (var task in await store.TasksAsync(id, cancellationToken))
            {
                if (task is { Kind: TaskKind.Work, Status: DelegationStatus.Running, SessionId: { } session, TurnId: { } turn })
                {
                    running.Add((session, new ChildRef(id, task.Id, turn)));
                }
            }
        }

        // Applied only once everything is read, so a failed attempt (retried by the host) counts nothing twice.
        foreach (var status in statuses)
        {
            DelegationMetrics.Active(Statuses.Name(status), 1);
        }

        foreach (var (session, child) in running)
        {
            children.Track(session, child);
            DelegationMetrics.TasksInFlight.Add(1);
        }

        ready.TrySetResult();
        foreach (var id in unfinished)
        {
            Launch(id);
        }
    }

    /// <summary>Advances every execution whose next deadline (time budget, task timeout, retry) has passed.</summary>
    public void CheckDeadlines()
    {
        var now = time.GetUtcNow();
        foreach (var (id, handle) in active)
        {
            if (handle.DueAt is { } due && due <= now)
            {
                handle.DueAt = null;
                Launch(id);
            }
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }

    private async Task RunAsync(Guid executionId, CancellationToken cancellationToken)
    {
        try
        {
            var execution = await store.GetAsync(executionId, null, cancellationToken);
            if (execution is { Executor: Executors.Roma } && !Statuses.IsTerminal(execution.Status))
            {
                await RunExternalAsync(execution, cancellationToken);
            }
            else
            {
                await AdvanceAsync(executionId, null, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task AdvanceAsync(Guid executionId, Func<ExecutionRecord, Task>? apply, CancellationToken cancellationToken)
    {
        var handle = active.GetOrAdd(executionId, _ => new ActiveExecution());
        await handle.Gate.WaitAsync(cancellationToken);
        try
        {
            var execution = await store.GetAsync(executionId, null, cancellationToken);
            if (execution is null || Statuses.IsTerminal(execution.Status))
            {
                Forget(executionId);
                return;
            }

            if (apply is not null)
            {
                await apply(execution);
            }

            if (execution.Status == DelegationStatus.Pending && !await PlanAsync(execution, cancellationToken))
            {
                return;
            }

            await DecideAsync(executionId, handle, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing is lost: the state is in PostgreSQL and the next deadline check tries again.
            Log.AdvanceFailed(logger, executionId, e);
            handle.DueAt = time.GetUtcNow() + TimeSpan.FromSeconds(1);
            if (apply is not null)
            {
                throw;
            }
        }
        finally
        {
            handle.Gate.Release();
        }
    }

    private async Task<bool> PlanAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        PlanOutcome plan;
        try
        {
            var limits = new PlanLimits(execution.BaseDepth, execution.MaxDepth, settings.MaxFanOut, settings.MaxTasks);
            plan = await PlanBuilder.BuildAsync(
                execution.Goal, limits, (goal, ct) => splitter.SplitAsync(goal, settings.MaxFanOut, ct), TimeOrderedIds.NewId, cancellationToken);
        }
        catch (PlanningException e)
        {
            Log.PlanningFailed(logger, execution.Id, e.Message);
            plan = PlanOutcome.Refused(ErrorCodes.PlanningFailed, e.Message);
        }

        if (plan.IsRefused)
        {
            await FinishAsync(execution, Outcome.Failed(plan.RefusalCode!, plan.RefusalMessage!), cancellationToken);
            return false;
        }

        if (!await store.StartAsync(execution.Id, plan.Tasks, time.GetUtcNow(), cancellationToken))
        {
            return false;
        }

        Log.Planned(logger, execution.Id, plan.Tasks.Count);
        DelegationMetrics.Active("pending", -1);
        DelegationMetrics.Active("running", 1);
        DelegationMetrics.Entered("running", execution.Executor);
        return true;
    }

    private async Task DecideAsync(Guid executionId, ActiveExecution handle, CancellationToken cancellationToken)
    {
        // Every round ends or starts at least one task, so a plan of n tasks needs at most about 2n rounds; the bound
        // only guards against a round that changes nothing, which the next deadline check then retries.
        for (var round = 0; round < (2 * settings.MaxTasks) + 4; round++)
        {
            var execution = (await store.GetAsync(executionId, null, cancellationToken))!;
            if (Statuses.IsTerminal(execution.Status))
            {
                Forget(executionId);
                return;
            }

            var profile = Profile(execution);
            var tasks = await store.TasksAsync(executionId, cancellationToken);
            var snapshot = new ExecutionSnapshot(
                execution.Id, execution.Status, profile.FailurePolicy, profile.MaxParallel, profile.TaskTimeout, execution.Deadline,
                execution.TokenBudget, execution.TokensUsed, [.. tasks.Select(t => t.ToSnapshot())]);
            await ResendUndeliveredAsync(execution, tasks, snapshot, profile, cancellationToken);
            var decision = Scheduler.Decide(snapshot, time.GetUtcNow());
            if (decision.IsEmpty)
            {
                handle.DueAt = Scheduler.NextDue(snapshot);
                return;
            }

            if (decision.Finish is { } finish)
            {
                await FinishAsync(execution, finish, cancellationToken);
                return;
            }

            var byId = tasks.ToDictionary(t => t.Id);
            foreach (var (taskId, outcome) in decision.End)
            {
                await EndTaskAsync(execution, byId[taskId], outcome, cancellationToken);
            }

            foreach (var taskId in decision.Aggregate)
            {
                await AggregateAsync(execution, snapshot, byId[taskId], cancellationToken);
            }

            foreach (var taskId in decision.Dispatch)
            {
                await DispatchAsync(execution, snapshot, byId, byId[taskId], profile, cancellationToken);
            }
        }

        handle.DueAt = time.GetUtcNow() + TimeSpan.FromSeconds(1);
    }

    private async Task EndTaskAsync(ExecutionRecord execution, TaskRecord task, Outcome outcome, CancellationToken cancellationToken)
    {
        if (!await store.EndTaskAsync(execution.Id, task.Id, outcome, 0, 0, time.GetUtcNow(), cancellationToken))
        {
            return;
        }

        Log.TaskEnded(logger, execution.Id, task.Id, Statuses.Name(outcome.Status));
        if (task is { Kind: TaskKind.Work, Status: DelegationStatus.Running })
        {
            // A timed-out child is told to stop, so it spends nothing more on an answer nobody waits for.
            DelegationMetrics.TasksInFlight.Add(-1);
            await children.CancelAsync(execution, task, cancellationToken);
        }
    }

    private async Task AggregateAsync(ExecutionRecord execution, ExecutionSnapshot snapshot, TaskRecord task, CancellationToken cancellationToken)
    {
        var parts = snapshot.Tasks.Where(t => t.ParentId == task.Id).ToList();
        Outcome outcome;
        try
        {
            outcome = Outcome.Completed(await aggregator.CombineAsync(task.Goal, parts, cancellationToken));
        }
        catch (PlanningException e)
        {
            outcome = Outcome.Failed(ErrorCodes.AggregationFailed, e.Message);
        }

        await store.EndTaskAsync(execution.Id, task.Id, outcome, 0, 0, time.GetUtcNow(), cancellationToken);
        Log.TaskEnded(logger, execution.Id, task.Id, Statuses.Name(outcome.Status));
    }

    private async Task DispatchAsync(
        ExecutionRecord execution, ExecutionSnapshot snapshot, Dictionary<Guid, TaskRecord> byId, TaskRecord task, ProfileOptions profile,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        for (var parent = task.ParentTaskId; parent is { } id; parent = byId[id].ParentTaskId)
        {
            if (byId[id].Status == DelegationStatus.Pending)
            {
                await store.RunTaskAsync(execution.Id, id, null, null, now, cancellationToken);
            }
        }

        var sessionId = TimeOrderedIds.NewId();
        var turnId = TimeOrderedIds.NewId();
        if (!await store.RunTaskAsync(execution.Id, task.Id, sessionId, turnId, now, cancellationToken))
        {
            return;
        }

        children.Track(sessionId, new ChildRef(execution.Id, task.Id, turnId));
        DelegationMetrics.TasksInFlight.Add(1);
        DelegationMetrics.TaskDepth.Record(task.Depth);
        var started = task with { Status = DelegationStatus.Running, SessionId = sessionId, TurnId = turnId };
        await children.StartAsync(execution, started, ContentFor(snapshot, task), profile.PersonaId, cancellationToken);
        await store.MarkDispatchedAsync(task.Id, time.GetUtcNow(), cancellationToken);
        Log.Dispatched(logger, execution.Id, task.Id, sessionId, task.Depth);
    }

    // A task recorded as running whose message was never confirmed sent (the process stopped, or Kafka failed, in
    // between) is sent again with the same session and turn, so the worker sees the same turn at most twice.
    private async Task ResendUndeliveredAsync(
        ExecutionRecord execution, IReadOnlyList<TaskRecord> tasks, ExecutionSnapshot snapshot, ProfileOptions profile, CancellationToken cancellationToken)
    {
        foreach (var task in tasks.Where(t => t is { Kind: TaskKind.Work, Status: DelegationStatus.Running, DispatchedAt: null, SessionId: not null }))
        {
            children.Track(task.SessionId!.Value, new ChildRef(execution.Id, task.Id, task.TurnId!.Value));
            await children.StartAsync(execution, task, ContentFor(snapshot, task), profile.PersonaId, cancellationToken);
            await store.MarkDispatchedAsync(task.Id, time.GetUtcNow(), cancellationToken);
        }
    }

    private async Task RunExternalAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        var handle = active.GetOrAdd(execution.Id, _ => new ActiveExecution());
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (handle)
        {
            if (handle.External is not null)
            {
                return;
            }

            handle.External = cancel;
        }

        try
        {
            var outcome = await roma.RunAsync(execution, async externalId =>
            {
                if (await store.StartExternalAsync(execution.Id, externalId, time.GetUtcNow(), CancellationToken.None))
                {
                    DelegationMetrics.Active("pending", -1);
                    DelegationMetrics.Active("running", 1);
                    DelegationMetrics.Entered("running", Executors.Roma);
                }
            }, cancel.Token);
            await handle.Gate.WaitAsync(cancellationToken);
            try
            {
                if (await store.GetAsync(execution.Id, null, cancellationToken) is { } current && !Statuses.IsTerminal(current.Status))
                {
                    await FinishAsync(current, outcome, cancellationToken);
                }
            }
            finally
            {
                handle.Gate.Release();
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Cancelled through CancelAsync, which finished the execution.
        }
        finally
        {
            lock (handle)
            {
                handle.External = null;
            }
        }
    }

    /// <summary>Writes the terminal state and receipt, stops running children, and cancels nested executions.</summary>
    private async Task FinishAsync(ExecutionRecord execution, Outcome outcome, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var receipt = receipts.Issue(ReceiptService.InputsFor(execution, outcome, execution.ExternalId), now);
        var (finished, interrupted) = await store.FinishAsync(execution.Id, outcome, receipt, now, cancellationToken);
        if (!finished)
        {
            return;
        }

        foreach (var task in interrupted.Where(t => t.Kind == TaskKind.Work))
        {
            DelegationMetrics.TasksInFlight.Add(-1);
            await children.CancelAsync(execution, task, cancellationToken);
        }

        var status = Statuses.Name(outcome.Status);
        DelegationMetrics.Active(Statuses.Name(execution.Status), -1);
        DelegationMetrics.Entered(status, execution.Executor);
        DelegationMetrics.ExecutionDuration.Record((now - execution.CreatedAt).TotalSeconds, new KeyValuePair<string, object?>("status", status));
        Log.Finished(logger, execution.Id, status, outcome.ErrorCode ?? "none");
        Forget(execution.Id);
        if (waiters.TryRemove(execution.Id, out var waiter))
        {
            waiter.TrySetResult();
        }

        foreach (var nested in await store.UnfinishedChildrenAsync(execution.Id, cancellationToken))
        {
            await CancelAsync(nested, ErrorCodes.ParentEnded, $"The delegating execution ended {status}.", cancellationToken);
        }
    }

    private ProfileOptions Profile(ExecutionRecord execution) =>
        settings.Profiles.TryGetValue(execution.ConfigProfile, out var profile) ? profile : settings.Profiles[DelegationOptions.DefaultProfile];

    private static string ContentFor(ExecutionSnapshot snapshot, TaskRecord task) =>
        Prompts.ChildMessage(task.Goal, Scheduler.Context(snapshot, task.Id), ChildSessions.MaxContentLength);

    // A finished execution's handle goes: anyone still holding it finds the execution terminal and does nothing.
    private void Forget(Guid executionId)
    {
        if (active.TryRemove(executionId, out var handle))
        {
            handle.DueAt = null;
        }
    }

    private sealed class ActiveExecution
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public DateTimeOffset? DueAt { get; set; }

        public CancellationTokenSource? External { get; set; }
    }
}
