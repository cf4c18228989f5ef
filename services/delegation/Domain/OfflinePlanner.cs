using System.Text.RegularExpressions;

namespace Mesh.Delegation.Domain;

/// <summary>One sub-task of a split goal; <paramref name="DependsOn"/> holds indices of earlier steps whose results it needs.</summary>
public sealed record PlanStep(string Goal, IReadOnlyList<int> DependsOn);

/// <summary>How one goal breaks into steps; fewer than two steps means the goal is atomic and runs directly.</summary>
public sealed record GoalSplit(IReadOnlyList<PlanStep> Steps)
{
    public static GoalSplit Atomic { get; } = new([]);

    public bool IsAtomic => Steps.Count < 2;
}

/// <summary>
/// The deterministic planner used without an LLM. It splits one level of a goal by the first rule that applies:
/// <list type="number">
/// <item>a list, one item per line ("1. …", "2) …", "- …", "* …", "• …"): one step per item, independent, except
/// that an item starting with "then" depends on the one before it; lines before the first item are a heading and
/// stay with the execution's goal;</item>
/// <item>an inline enumeration "1. … 2. … 3. …" (numbers consecutive from 1): one step per item, independent;</item>
/// <item>a sequence "X, then Y", "X and then Y", "X; then Y", "X. Then Y": one step per part, each depending on the
/// one before;</item>
/// <item>a conjunction "X and Y", "X, Y and Z", "X; Y" where every later part starts with an imperative verb of
/// <see cref="Verbs"/> ("summarize the report and list the risks"): one step per part, independent. "Compare train
/// and car" stays whole because "car" is no verb.</item>
/// </list>
/// Anything else is atomic. The execution applies the planner again to each step while the depth limit allows.
/// </summary>
public static partial class OfflinePlanner
{
    /// <summary>Imperative verbs that start a new clause after "and", a comma or a semicolon.</summary>
    public static IReadOnlySet<string> Verbs { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "add", "analyse", "analyze", "answer", "assess", "book", "build", "calculate", "check", "choose", "classify",
        "collect", "compare", "compile", "compute", "convert", "count", "create", "decide", "define", "describe",
        "design", "determine", "draft", "estimate", "evaluate", "explain", "extract", "fetch", "find", "gather",
        "generate", "get", "give", "identify", "investigate", "list", "look", "make", "name", "outline", "plan",
        "prepare", "propose", "rank", "read", "recommend", "research", "review", "rewrite", "search", "send",
        "suggest", "summarise", "summarize", "tell", "translate", "verify", "write",
    };

    public static GoalSplit Split(string goal)
    {
        ArgumentNullException.ThrowIfNull(goal);
        return SplitList(goal) ?? SplitInlineEnumeration(goal) ?? SplitSequence(goal) ?? SplitConjunction(goal) ?? GoalSplit.Atomic;
    }

    private static GoalSplit? SplitList(string goal)
    {
        var items = new List<(string Text, bool Then)>();
        foreach (var raw in goal.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (ListItem().Match(line) is { Success: true } item)
            {
                var text = item.Groups["text"].Value.Trim();
                var then = ThenPrefix().Match(text);
                items.Add(then.Success ? (text[then.Length..], true) : (text, false));
            }
            else if (items.Count > 0)
            {
                items[^1] = (items[^1].Text + " " + line, items[^1].Then);
            }
        }

        if (items.Count < 2)
        {
            return null;
        }

        return Steps(items.Select((item, i) => (item.Text, item.Then && i > 0 ? new[] { i - 1 } : [])));
    }

    private static GoalSplit? SplitInlineEnumeration(string goal)
    {
        var markers = InlineNumber().Matches(goal).ToList();
        var sequence = new List<Match>();
        foreach (var marker in markers)
        {
            if (int.Parse(marker.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture) == sequence.Count + 1)
            {
                sequence.Add(marker);
            }
        }

        if (sequence.Count < 2)
        {
            return null;
        }

        var parts = new List<string>();
        for (var i = 0; i < sequence.Count; i++)
        {
            var start = sequence[i].Index + sequence[i].Length;
            var end = i + 1 < sequence.Count ? sequence[i + 1].Index : goal.Length;
            parts.Add(goal[start..end]);
        }

        return Steps(parts.Select(p => (p, Array.Empty<int>())));
    }

    private static GoalSplit? SplitSequence(string goal)
    {
        var parts = SequenceSeparator().Split(goal);
        if (parts.Length < 2 || parts.Any(p => Clean(p).Length == 0))
        {
            return null;
        }

        return Steps(parts.Select((p, i) => (p, i == 0 ? Array.Empty<int>() : [i - 1])));
    }

    private static GoalSplit? SplitConjunction(string goal)
    {
        var parts = new List<string>();
        var start = 0;
        foreach (Match separator in ConjunctionSeparator().Matches(goal))
        {
            var rest = goal[(separator.Index + separator.Length)..];
            var next = FirstWord().Match(rest);
            if (next.Success && Verbs.Contains(next.Value) && Clean(goal[start..separator.Index]).Length > 0)
            {
                parts.Add(goal[start..separator.Index]);
                start = separator.Index + separator.Length;
            }
        }

        if (parts.Count == 0)
        {
            return null;
        }

        parts.Add(goal[start..]);
        return Steps(parts.Select(p => (p, Array.Empty<int>())));
    }

    private static GoalSplit? Steps(IEnumerable<(string Text, int[] DependsOn)> parts)
    {
        var steps = parts.Select(p => new PlanStep(Clean(p.Text), p.DependsOn)).ToList();
        return steps.Count < 2 || steps.Any(s => s.Goal.Length == 0) ? null : new GoalSplit(steps);
    }

    private static string Clean(string text) => text.Trim().TrimEnd('.', ',', ';', ':').Trim();

    [GeneratedRegex(@"^(?:\d{1,3}[.)]|[-*•])\s+(?<text>\S.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"^then\b[,:]?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex ThenPrefix();

    [GeneratedRegex(@"(?<=^|\s)(?<n>\d{1,2})[.)]\s+")]
    private static partial Regex InlineNumber();

    [GeneratedRegex(@"\s*(?:[,;]\s*(?:and\s+)?then\b,?|\.\s+then\b,?|\s+and\s+then\b,?)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex SequenceSeparator();

    [GeneratedRegex(@",\s*and\s+|,\s*|;\s*|\s+and\s+", RegexOptions.IgnoreCase)]
    private static partial Regex ConjunctionSeparator();

    [GeneratedRegex(@"^[A-Za-z]+")]
    private static partial Regex FirstWord();
}
