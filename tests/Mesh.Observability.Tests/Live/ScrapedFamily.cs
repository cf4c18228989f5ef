using System.Text.RegularExpressions;

namespace Mesh.Observability.Tests.Live;

/// <summary>One metric family of a scrape: its type and the label names of each of its series (without <c>le</c>).</summary>
internal sealed record ScrapedFamily(string Name, string Type, IReadOnlyList<IReadOnlyDictionary<string, string>> Series)
{
    public IReadOnlySet<string> LabelNames => Series.SelectMany(s => s.Keys).ToHashSet(StringComparer.Ordinal);
}

/// <summary>Reads the Prometheus text format a service serves on <c>/metrics</c>.</summary>
internal static partial class ExpositionReader
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    public static async Task<IReadOnlyDictionary<string, ScrapedFamily>> ScrapeAsync(HttpClient service) =>
        Parse(await service.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

    public static IReadOnlyDictionary<string, ScrapedFamily> Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var series = new Dictionary<string, List<IReadOnlyDictionary<string, string>>>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                series[parts[2]] = [];
                continue;
            }
            if (line.StartsWith('#'))
            {
                continue;
            }
            var sample = Sample().Match(line);
            if (!sample.Success)
            {
                throw new FormatException("Not a sample line: " + line);
            }
            var family = FamilyOf(sample.Groups["name"].Value, types);
            series[family].Add(Label().Matches(sample.Groups["labels"].Value)
                .Where(m => m.Groups["name"].Value != "le")
                .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal));
        }
        return types.ToDictionary(t => t.Key, t => new ScrapedFamily(t.Key, t.Value, series[t.Key]), StringComparer.Ordinal);
    }

    private static string FamilyOf(string sampleName, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sampleName))
        {
            return sampleName;
        }
        foreach (var suffix in HistogramSuffixes)
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal) && types.GetValueOrDefault(sampleName[..^suffix.Length]) == "histogram")
            {
                return sampleName[..^suffix.Length];
            }
        }
        throw new FormatException($"Sample {sampleName} has no # TYPE line.");
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? \S+$")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
