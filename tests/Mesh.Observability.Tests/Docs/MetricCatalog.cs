using Mesh.Testing;

namespace Mesh.Observability.Tests.Docs;

/// <summary>One row of <c>observability/metrics.md</c>.</summary>
internal sealed record CatalogEntry(
    string Name,
    string Type,
    string Unit,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> OptionalLabels,
    IReadOnlyList<string> Services,
    string Appears)
{
    /// <summary>Whether absence from a scrape is normal: the metric appears only after an event healthy traffic may never cause.</summary>
    public bool IsRare => Appears.StartsWith("rare:", StringComparison.Ordinal);

    public bool IsExportedBy(string service) => Services.Contains(service);
}

/// <summary>Reads the metric catalog: every table row whose first cell is a metric name in backticks.</summary>
internal static class MetricCatalog
{
    /// <summary>The five services, as the catalog's services column and the Prometheus jobs name them.</summary>
    public static readonly IReadOnlyList<string> AllServices = ["policy", "tool-executor", "conversation-worker", "delegation", "gateway"];

    private const int Columns = 7;

    public static string FilePath => RepoPaths.Combine("observability", "metrics.md");

    public static IReadOnlyList<CatalogEntry> Load() => Parse(File.ReadAllLines(FilePath));

    public static IReadOnlyList<CatalogEntry> Parse(IEnumerable<string> lines) =>
        lines.Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(ParseRow).ToList();

    private static CatalogEntry ParseRow(string row)
    {
        var cells = row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        if (cells.Length != Columns)
        {
            throw new FormatException($"A catalog row has {Columns} cells (name | type | unit | labels | services | appears | meaning): {row}");
        }
        var labels = cells[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var services = cells[4] == "all" ? AllServices : cells[4].Split(',', StringSplitOptions.TrimEntries);
        return new CatalogEntry(
            cells[0].Trim('`'),
            cells[1],
            cells[2],
            labels.Where(l => !l.StartsWith('(')).ToList(),
            labels.Where(l => l.StartsWith('(')).Select(l => l.Trim('(', ')')).ToList(),
            services,
            cells[5]);
    }
}
