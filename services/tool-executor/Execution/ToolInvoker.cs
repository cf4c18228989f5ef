using System.Diagnostics;
using Mesh.Contracts.Tools;
using Mesh.Observability.Hosting;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Mesh.ToolExecutor.Tools;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// Takes one tool request to its recorded result. Order of business:
/// lease (one executor at a time) → claim the invocation record (a recorded result is republished; a run left
/// unfinished by a crash is repeated only for an idempotent tool, otherwise answered <c>interrupted</c>) →
/// registry → deadline → argument schema → policy (fail closed) → cancel signal → result cache → circuit breaker →
/// concurrency slot → run under the tool's timeout, the request's deadline and the cancel signal → record result
/// and audit in one statement. Every path ends in a recorded <see cref="ToolResult"/>.
/// </summary>
public sealed class ToolInvoker(
    ToolRegistry registry,
    InvocationStore store,
    InvocationLeases leases,
    PolicyGate policy,
    ResultCache cache,
    CancellationSignals cancels,
    ConcurrencyLimits limits,
    CircuitBreakers breakers,
    ToolMetrics metrics,
    MigrationState schema,
    IOptions<ExecutorOptions> options,
    TimeProvider time,
    ILogger<ToolInvoker> logger)
{
    // The lease of a request for an unknown tool: nothing runs, so any short lease will do.
    private static readonly TimeSpan UnknownToolLease = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SchemaWait = TimeSpan.FromMilliseconds(100);

    private ExecutorOptions Settings => options.Value;

    public async Task<ToolResult> InvokeAsync(ToolRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Requests may arrive before this process has brought the schema up to date; they wait for it (holding
        // their partition) rather than failing into the dead-letter topic.
        while (schema.Pending is not null)
        {
            await Task.Delay(SchemaWait, time, cancellationToken);
        }
        var tool = registry.Find(request.Tool);
        // The lease outlives the longest run: its wait for a concurrency slot and the tool's timeout, plus a margin.
        var leaseTtl = (tool is null ? UnknownToolLease : SlotWait(request) + tool.Descriptor.Timeout) + Settings.LeaseMargin;
        while (!await leases.TryAcquireAsync(request.RequestId, Settings.Id, leaseTtl))
        {
            // Another executor has it right now (a redelivery during a rebalance, or a crashed holder whose
            // lease has not expired yet): wait for its recorded result or for the lease to lapse.
            if (await store.FindAsync(request.RequestId, cancellationToken) is { } done)
            {
                Log.Republished(logger, request.Tool);
                return done;
            }
            await Task.Delay(Settings.LeaseRetryInterval, time, cancellationToken);
        }

        // Registered before the cancel key is read, so a cancel is never missed; the read overlaps the claim.
        using var cancel = cancels.Register(request.RequestId);
        var cancelledEarlier = cancels.IsCancelledAsync(request.RequestId);
        try
        {
            var claim = await store.ClaimAsync(request, Settings.Id, cancellationToken);
            var action = InvocationPlan.Decide(claim.State, tool?.Descriptor.Idempotent ?? true);
            if (action == InvocationAction.Republish)
            {
                Log.Republished(logger, request.Tool);
                return claim.Recorded!;
            }

            var normalized = ToolArguments.Normalize(request.Arguments, tool?.Descriptor.CaseInsensitiveFields);
            ToolOutcome outcome;
            if (action == InvocationAction.Interrupt)
            {
                Log.Interrupted(logger, request.Tool);
                outcome = ToolOutcome.Failure(ToolResultStatus.Failed, ErrorCodes.Interrupted,
                    "an earlier run was interrupted by an executor crash; the tool is not idempotent, so it is not run again");
            }
            else
            {
                outcome = await DecideAndRunAsync(request, tool, normalized, cancel, cancelledEarlier, cancellationToken);
            }

            var result = ToResult(request, outcome, Stopwatch.GetElapsedTime(started));
            var recorded = await store.FinishAsync(request, result, new AuditEntry(request.PersonaId, request.ActorId, ToolArguments.Digest(normalized)), cancellationToken);
            metrics.Answered(tool?.Descriptor.Name, outcome);
            Log.Answered(logger, request.Tool, outcome.StatusName, outcome.Error?.Code ?? "", result.DurationMs);
            return recorded;
        }
        finally
        {
            await leases.ReleaseAsync(request.RequestId, Settings.Id);
        }
    }

    private async Task<ToolOutcome> DecideAndRunAsync(
        ToolRequest request, RegisteredTool? tool, string normalized, CancellationSignals.Registration cancel, Task<bool> cancelledEarlier,
        CancellationToken cancellationToken)
    {
        if (tool is null)
        {
            return ToolOutcome.Failure(ToolResultStatus.UnknownTool, ErrorCodes.UnknownTool, $"no tool named '{request.Tool}' is registered");
        }
        if (request.Deadline is { } deadline && deadline <= time.GetUtcNow())
        {
            return ToolOutcome.Failure(ToolResultStatus.Timeout, ErrorCodes.DeadlineExceeded, "the request's deadline passed before the tool could run");
        }
        if (tool.Validate(request.Arguments) is { } problem)
        {
            return ToolOutcome.Failure(ToolResultStatus.InvalidArguments, ErrorCodes.InvalidArguments, problem);
        }

        var decision = await policy.CheckAsync(request.TenantId, request.ActorId, tool.Descriptor.Name, request.RequestId, request.SessionId, cancellationToken);
        var outcome = decision.Allowed
            ? await RunAllowedAsync(request, tool, normalized, cancel, cancelledEarlier, cancellationToken)
            : ToolOutcome.Failure(ToolResultStatus.Denied, decision.Reason, decision.Detail);
        return outcome with { PolicyDecisionId = decision.DecisionId };
    }

    private async Task<ToolOutcome> RunAllowedAsync(
        ToolRequest request, RegisteredTool tool, string normalized, CancellationSignals.Registration cancel, Task<bool> cancelledEarlier,
        CancellationToken cancellationToken)
    {
        var descriptor = tool.Descriptor;
        var cacheKey = descriptor.IsCacheable ? ToolArguments.CacheKey(descriptor.Name, descriptor.Version, normalized) : null;
        var lookUp = CachePolicy.ShouldLookUp(request.CacheStrategy, descriptor);
        var cached = lookUp ? cache.GetAsync(descriptor.Name, request.TenantId, cacheKey!) : Task.FromResult<CachedResult?>(null);
        if (await cancelledEarlier || cancel.Token.IsCancellationRequested)
        {
            return ToolOutcome.Failure(ToolResultStatus.Cancelled, ErrorCodes.Cancelled, "the call was cancelled before it ran");
        }
        if (lookUp)
        {
            if (await cached is { } entry && CachePolicy.IsUsable(request.CacheStrategy, entry, descriptor.CacheTtl, time.GetUtcNow()))
            {
                CountCache(descriptor, request.TenantId, "hit");
                return entry.Outcome with { FromCache = true };
            }
            CountCache(descriptor, request.TenantId, "miss");
        }

        var breaker = breakers.For(descriptor.Name);
        if (!breaker.TryEnter(out var isProbe))
        {
            return ToolOutcome.Failure(ToolResultStatus.CircuitOpen, ErrorCodes.CircuitOpen,
                $"{descriptor.Name} failed repeatedly; its circuit breaker is open and calls are refused for a while");
        }
        ToolOutcome outcome;
        var health = CallResult.Neutral;
        try
        {
            (outcome, health) = await RunAsync(request, tool, cancel.Token, cancellationToken);
        }
        finally
        {
            // Also on shutdown, so a probe never stays in flight forever.
            breaker.Complete(isProbe, health);
        }

        if (cacheKey is not null && CachePolicy.ShouldStore(descriptor, outcome))
        {
            await cache.StoreAsync(descriptor, request.TenantId, cacheKey, outcome);
            CountCache(descriptor, request.TenantId, "store");
        }
        return outcome;
    }

    private async Task<(ToolOutcome Outcome, CallResult Health)> RunAsync(
        ToolRequest request, RegisteredTool tool, CancellationToken cancelSignal, CancellationToken shutdown)
    {
        var descriptor = tool.Descriptor;
        var untilDeadline = UntilDeadline(request);
        var slotWait = SlotWait(request);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancelSignal, shutdown);
        IDisposable? slot;
        try
        {
            slot = slotWait > TimeSpan.Zero ? await limits.AcquireAsync(tool, slotWait, waiting.Token) : null;
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            return (ToolOutcome.Failure(ToolResultStatus.Cancelled, ErrorCodes.Cancelled, "the call was cancelled while it waited to run"), CallResult.Neutral);
        }
        if (slot is null)
        {
            return slotWait < Settings.SlotWait
                ? (ToolOutcome.Failure(ToolResultStatus.Timeout, ErrorCodes.DeadlineExceeded, "the request's deadline passed while it waited for a free slot"), CallResult.Neutral)
                : (ToolOutcome.Failure(ToolResultStatus.Timeout, ErrorCodes.QueueTimeout, $"no free slot for {descriptor.Name} within {Settings.SlotWait.TotalSeconds:0} s"), CallResult.Neutral);
        }

        using (slot)
        {
            using var timeout = new CancellationTokenSource(descriptor.Timeout, time);
            using var deadlineSource = untilDeadline is { } remaining ? new CancellationTokenSource(Positive(remaining), time) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, deadlineSource.Token, cancelSignal, shutdown);
            var call = new ToolCall(request.RequestId, request.SessionId, request.TenantId, request.ActorId, request.PersonaId, request.Arguments);
            var runStarted = Stopwatch.GetTimestamp();
            metrics.Running(descriptor.Name, +1);
            try
            {
                var output = await tool.Tool.InvokeAsync(call, linked.Token).WaitAsync(linked.Token);
                var (limited, truncated) = OutputLimit.Apply(output, Settings.MaxOutputBytes);
                return (new ToolOutcome(ToolResultStatus.Succeeded, limited, Truncated: truncated), CallResult.Success);
            }
            catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (cancelSignal.IsCancellationRequested)
            {
                return (ToolOutcome.Failure(ToolResultStatus.Cancelled, ErrorCodes.Cancelled, "the call was cancelled while it ran"), CallResult.Neutral);
            }
            catch (OperationCanceledException) when (deadlineSource.IsCancellationRequested)
            {
                return (ToolOutcome.Failure(ToolResultStatus.Timeout, ErrorCodes.DeadlineExceeded, "the request's deadline passed while the tool ran"), CallResult.Neutral);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return (ToolOutcome.Failure(ToolResultStatus.Timeout, ErrorCodes.ToolTimeout,
                    $"{descriptor.Name} did not finish within its timeout of {descriptor.Timeout.TotalMilliseconds:0} ms"), CallResult.Fault);
            }
            catch (ToolArgumentException e)
            {
                return (ToolOutcome.Failure(ToolResultStatus.InvalidArguments, ErrorCodes.InvalidArguments, e.Message), CallResult.Neutral);
            }
            catch (ToolException e)
            {
                return (ToolOutcome.Failure(ToolResultStatus.Failed, e.Code, e.Message), e.IsFault ? CallResult.Fault : CallResult.Neutral);
            }
            catch (Exception e)
            {
                Log.ToolFaulted(logger, descriptor.Name, e.GetType().Name, e);
                return (ToolOutcome.Failure(ToolResultStatus.Failed, ErrorCodes.ToolError, $"{descriptor.Name} failed: {e.GetType().Name}: {e.Message}"), CallResult.Fault);
            }
            finally
            {
                metrics.Running(descriptor.Name, -1);
                metrics.Ran(descriptor.Name, Stopwatch.GetElapsedTime(runStarted));
            }
        }
    }

    private ToolResult ToResult(ToolRequest request, ToolOutcome outcome, TimeSpan elapsed) => new(
        request.RequestId,
        request.SessionId,
        request.TurnId,
        request.CallIndex,
        request.TenantId,
        request.Tool,
        outcome.Status,
        outcome.Truncated,
        outcome.FromCache,
        (long)elapsed.TotalMilliseconds,
        Settings.Id,
        time.GetUtcNow(),
        outcome.Output,
        outcome.Error,
        outcome.PolicyDecisionId);

    private void CountCache(ToolDescriptor tool, string tenantId, string result)
    {
        metrics.Cache(result);
        cache.Count(tool.Name, tenantId, result);
    }

    private TimeSpan? UntilDeadline(ToolRequest request) => request.Deadline is { } deadline ? deadline - time.GetUtcNow() : null;

    // How long a request may wait for a concurrency slot: the configured wait, or less (down to none) when its deadline is nearer.
    private TimeSpan SlotWait(ToolRequest request) => UntilDeadline(request) switch
    {
        { } left when left <= TimeSpan.Zero => TimeSpan.Zero,
        { } left when left < Settings.SlotWait => left,
        _ => Settings.SlotWait,
    };

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.FromMilliseconds(1);
}
