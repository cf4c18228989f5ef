using System.Globalization;

namespace Mesh.Contracts.Conversations;

/// <summary>
/// The narrowed authority of a delegated child turn, carried in <see cref="ConversationMetadata.Labels"/>: the
/// delegation service writes it, the conversation worker enforces it. A turn without these labels is unrestricted.
/// Labels that are present but unreadable restrict as much as they can (fail closed): no tools, no tokens, no time.
/// </summary>
/// <param name="AllowedTools">Tools the turn may offer the model and call; null when not restricted.</param>
/// <param name="TokenBudget">Tokens (input and output together) the turn may use; null when not restricted.</param>
/// <param name="Deadline">Instant after which the turn may not call the model again; null when not restricted.</param>
public sealed record DelegationGrant(IReadOnlySet<string>? AllowedTools, long? TokenBudget, DateTimeOffset? Deadline)
{
    /// <summary>Label: comma-separated tools the child may call; present only when restricted (empty: no tools at all).</summary>
    public const string AllowedToolsLabel = "delegation.allowed_tools";

    /// <summary>Label: tokens the child's turn may use at most (the execution's remaining slice).</summary>
    public const string TokenBudgetLabel = "delegation.token_budget";

    /// <summary>Label: RFC 3339 UTC instant after which the child's answer is no longer wanted.</summary>
    public const string DeadlineLabel = "delegation.deadline";

    /// <summary>Label: the execution's depth limit; a child at this depth may not delegate further.</summary>
    public const string MaxDepthLabel = "delegation.max_depth";

    /// <summary>Label: the execution's configuration profile.</summary>
    public const string ProfileLabel = "delegation.profile";

    /// <summary>No restriction.</summary>
    public static readonly DelegationGrant Unrestricted = new(null, null, null);

    /// <summary>Reads the grant from a message's labels.</summary>
    public static DelegationGrant FromLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return Unrestricted;
        }

        IReadOnlySet<string>? tools = labels.TryGetValue(AllowedToolsLabel, out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : null;
        long? tokens = labels.TryGetValue(TokenBudgetLabel, out var budget)
            ? long.TryParse(budget, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0
            : null;
        DateTimeOffset? deadline = labels.TryGetValue(DeadlineLabel, out var instant)
            ? DateTimeOffset.TryParse(instant, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue
            : null;
        return new DelegationGrant(tools, tokens, deadline);
    }

    /// <summary>Whether the turn may call <paramref name="tool"/>.</summary>
    public bool AllowsTool(string tool) => AllowedTools is null || AllowedTools.Contains(tool);

    /// <summary>Why the turn may not call the model again after using <paramref name="tokensUsed"/> with <paramref name="nextPromptTokens"/> more to send, or null when it may.</summary>
    public (string Code, string Message)? RefusesModelCall(long tokensUsed, long nextPromptTokens, DateTimeOffset now) =>
        Deadline is { } deadline && now >= deadline
            ? ("deadline_exceeded", "The delegated task's deadline has passed.")
            : TokenBudget is { } budget && tokensUsed + nextPromptTokens > budget
                ? ("budget_exceeded", $"The delegated task's token budget ({budget.ToString(CultureInfo.InvariantCulture)}) would be exceeded.")
                : null;
}
