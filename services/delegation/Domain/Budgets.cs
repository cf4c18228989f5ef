using Mesh.Contracts.Delegation;

namespace Mesh.Delegation.Domain;

/// <summary>
/// Per-execution budgets. The time budget runs out at the deadline. The token budget runs out when the tokens the
/// child sessions reported exceed it, or reach it while work is left.
/// </summary>
public static class Budgets
{
    public static Outcome? Exhausted(ExecutionSnapshot execution, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (execution.Deadline is { } deadline && deadline <= now)
        {
            return Outcome.Failed(ErrorCodes.TimeBudgetExhausted, "The execution's time budget ran out.");
        }

        if (execution.TokenBudget is { } budget)
        {
            var workLeft = execution.Tasks.Any(t => !Statuses.IsTerminal(t.Status));
            if (execution.TokensUsed > budget || (execution.TokensUsed == budget && workLeft))
            {
                return Outcome.Failed(ErrorCodes.TokenBudgetExhausted, $"The execution used {execution.TokensUsed} of its {budget} tokens.");
            }
        }

        return null;
    }

    /// <summary>What is left of a token budget once usage and the slices handed to nested executions are taken out.</summary>
    public static long? TokensRemaining(long? budget, long used, long delegated) =>
        budget is { } total ? Math.Max(0, total - used - delegated) : null;
}
