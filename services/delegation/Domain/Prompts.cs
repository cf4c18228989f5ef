using System.Text;
using Mesh.Contracts.Delegation;

namespace Mesh.Delegation.Domain;

/// <summary>The texts the execution writes: a child session's message and the offline aggregation of results.</summary>
public static class Prompts
{
    /// <summary>Longest result of one task carried into another task's message.</summary>
    public const int MaxContextResultLength = 4000;

    /// <summary>
    /// A child session's message: the task's goal alone, or, when it builds on earlier results, the goal followed
    /// by those results. Never longer than <paramref name="maxLength"/> characters.
    /// </summary>
    public static string ChildMessage(string goal, IReadOnlyList<TaskSnapshot> context, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(goal);
        ArgumentNullException.ThrowIfNull(context);
        if (context.Count == 0)
        {
            return Clip(goal, maxLength);
        }

        var text = new StringBuilder(goal).Append("\n\nResults of earlier steps:");
        foreach (var task in context)
        {
            text.Append("\n- ").Append(task.Goal).Append(": ").Append(Clip(task.Result ?? "", MaxContextResultLength));
        }

        return Clip(text.ToString(), maxLength);
    }

    /// <summary>
    /// The offline aggregation of an aggregate task: with a single sub-task, its result; otherwise each sub-task in
    /// plan order as a numbered heading (its goal) followed by its result, or by why it has none.
    /// </summary>
    public static string Combine(IReadOnlyList<TaskSnapshot> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        var ordered = children.OrderBy(c => c.Ordinal).ToList();
        if (ordered.Count == 1 && ordered[0].Status == DelegationStatus.Completed)
        {
            return ordered[0].Result ?? "";
        }

        var text = new StringBuilder();
        for (var i = 0; i < ordered.Count; i++)
        {
            var child = ordered[i];
            if (i > 0)
            {
                text.Append("\n\n");
            }

            text.Append(i + 1).Append(". ").Append(child.Goal).Append('\n');
            text.Append(child.Status == DelegationStatus.Completed
                ? child.Result ?? ""
                : $"(no result: {Statuses.Name(child.Status)}, {child.ErrorCode ?? "unknown"})");
        }

        return text.ToString();
    }

    private static string Clip(string text, int maxLength) => text.Length <= maxLength ? text : text[..(maxLength - 1)] + "…";
}
