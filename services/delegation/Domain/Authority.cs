namespace Mesh.Delegation.Domain;

/// <summary>
/// The delegating task of a nested execution (one started from a child session), with what its execution may
/// still hand on.
/// </summary>
/// <param name="ExecutionId">The delegating task's execution.</param>
/// <param name="TaskId">The delegating task.</param>
/// <param name="TenantId">Tenant of that execution.</param>
/// <param name="ActorId">Actor of that execution: the nested one acts as the same actor.</param>
/// <param name="TaskDepth">Depth of the delegating task.</param>
/// <param name="MaxDepth">Depth limit of that execution.</param>
/// <param name="AllowedTools">Tools it may use (null: not restricted).</param>
/// <param name="TokensRemaining">Tokens it has left (null: no token budget).</param>
/// <param name="Deadline">End of its time budget (null: none).</param>
/// <param name="NestedExecutions">How many nested executions the delegating task has started already.</param>
public sealed record ParentGrant(
    Guid ExecutionId,
    Guid TaskId,
    string TenantId,
    string ActorId,
    int TaskDepth,
    int MaxDepth,
    IReadOnlyList<string>? AllowedTools,
    long? TokensRemaining,
    DateTimeOffset? Deadline,
    int NestedExecutions);

/// <summary>What a new execution asks for; null tool lists and budgets mean "not restricted".</summary>
public sealed record GrantRequest(
    int MaxDepth,
    IReadOnlyList<string>? AllowedTools,
    IReadOnlyList<string>? ProfileTools,
    long? TokenBudget,
    long? TimeBudgetMs);

/// <summary>What a new execution gets.</summary>
public sealed record Grant(int BaseDepth, int MaxDepth, IReadOnlyList<string>? AllowedTools, long? TokenBudget, long? TimeBudgetMs);

/// <summary>Why an execution may not start, as a stable code and words.</summary>
public sealed record Refusal(string Code, string Message);

/// <summary>
/// Narrowed authority, as pure rules. An execution gets the intersection of the tools it asks for, its profile's
/// subset and its parent's tools. A nested execution starts one level below its delegating task and may never go
/// past the parent's depth limit, nor exceed the tokens or time the parent has left, and a task may start at most
/// the fan-out limit of nested executions.
/// </summary>
public static class Authority
{
    public static (Grant? Grant, Refusal? Refusal) Narrow(GrantRequest request, ParentGrant? parent, int maxFanOut, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tools = Intersect(Intersect(request.AllowedTools, request.ProfileTools), parent?.AllowedTools);
        if (parent is null)
        {
            return (new Grant(0, request.MaxDepth, tools, request.TokenBudget, request.TimeBudgetMs), null);
        }

        if (parent.NestedExecutions >= maxFanOut)
        {
            return (null, new Refusal(ErrorCodes.FanOutLimitExceeded, $"Task {parent.TaskId} has started {parent.NestedExecutions} nested executions; at most {maxFanOut} are allowed."));
        }

        var maxDepth = Math.Min(request.MaxDepth, parent.MaxDepth);
        var baseDepth = parent.TaskDepth + 1;
        if (baseDepth > maxDepth)
        {
            return (null, new Refusal(ErrorCodes.DepthLimitExceeded, $"Delegating from depth {parent.TaskDepth} would reach depth {baseDepth}; the limit is {maxDepth}."));
        }

        var tokens = request.TokenBudget;
        if (parent.TokensRemaining is { } remaining)
        {
            if (remaining <= 0)
            {
                return (null, new Refusal(ErrorCodes.TokenBudgetExhausted, "The delegating execution has no tokens left to hand on."));
            }

            tokens = Math.Min(tokens ?? remaining, remaining);
        }

        var time = request.TimeBudgetMs;
        if (parent.Deadline is { } deadline)
        {
            var left = (long)Math.Floor((deadline - now).TotalMilliseconds);
            if (left <= 0)
            {
                return (null, new Refusal(ErrorCodes.TimeBudgetExhausted, "The delegating execution has no time left to hand on."));
            }

            time = Math.Min(time ?? left, left);
        }

        return (new Grant(baseDepth, maxDepth, tools, tokens, time), null);
    }

    /// <summary>The tools both lists allow, sorted; null stands for "not restricted".</summary>
    public static IReadOnlyList<string>? Intersect(IReadOnlyList<string>? first, IReadOnlyList<string>? second) =>
        (first, second) switch
        {
            (null, null) => null,
            (null, { } only) => [.. only.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            ({ } only, null) => [.. only.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            ({ } a, { } b) => [.. a.Intersect(b, StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        };
}
