using System.Text;
using Mesh.Testing;

namespace Mesh.Observability.Tests.Docs;

/// <summary>One query of <c>observability/promql.md</c>: its section, its title (without tags) and its expression.</summary>
public sealed record CookbookQuery(string Section, string Title, string Expression, bool IsRatio)
{
    public override string ToString() => Title;
}

/// <summary>Reads the PromQL cookbook: every <c>```promql</c> block, named by the <c>###</c> heading above it.</summary>
internal static class Cookbook
{
    public const string RatioTag = "[ratio]";

    public static string FilePath => RepoPaths.Combine("observability", "promql.md");

    public static string Text => File.ReadAllText(FilePath);

    public static IReadOnlyList<CookbookQuery> Load() => Parse(File.ReadAllLines(FilePath));

    public static IReadOnlyList<CookbookQuery> Parse(IReadOnlyList<string> lines)
    {
        var queries = new List<CookbookQuery>();
        string? section = null;
        string? title = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
                title = null;
            }
            else if (line.StartsWith("### ", StringComparison.Ordinal))
            {
                title = line[4..].Trim();
            }
            else if (line.Trim() == "```promql")
            {
                if (section is null || title is null)
                {
                    throw new FormatException($"The query at line {i + 1} has no ### title under a ## section.");
                }
                var expression = new StringBuilder();
                for (i++; i < lines.Count && lines[i].Trim() != "```"; i++)
                {
                    expression.AppendLine(lines[i]);
                }
                queries.Add(new CookbookQuery(
                    section,
                    title.Replace(RatioTag, "", StringComparison.Ordinal).Trim(),
                    expression.ToString().Trim(),
                    title.Contains(RatioTag, StringComparison.Ordinal)));
                title = null;
            }
        }
        return queries;
    }
}
