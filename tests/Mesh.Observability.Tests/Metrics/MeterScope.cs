using System.Diagnostics.Metrics;
using Mesh.Observability.Metrics;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Metrics;

/// <summary>Meters with a name unique to one test and an exporter that sees only them (plus any meters named on creation).</summary>
internal sealed class MeterScope : IDisposable
{
    private readonly string prefix = "Mesh.Tests." + Guid.NewGuid().ToString("N");
    private readonly List<Meter> meters = [];

    public MeterScope(bool includeProcessMetrics = false, params string[] alsoInclude)
    {
        Meter = CreateMeter();
        Exporter = new MeshMetricsExporter(
            name => name.StartsWith(prefix, StringComparison.Ordinal) || alsoInclude.Contains(name),
            includeProcessMetrics);
    }

    public Meter Meter { get; }

    public MeshMetricsExporter Exporter { get; }

    public Meter CreateMeter()
    {
        var meter = new Meter(prefix + "." + meters.Count);
        meters.Add(meter);
        return meter;
    }

    public string Scrape() => Exporter.Scrape();

    /// <summary>The value of the one sample line for <paramref name="series"/> (name plus labels, exactly as exported), or null.</summary>
    public string? Value(string series) => Exposition.Value(Scrape(), series);

    public void Dispose()
    {
        Exporter.Dispose();
        foreach (var meter in meters)
        {
            meter.Dispose();
        }
    }
}

internal static class Exposition
{
    public static string[] Lines(string scrape) => scrape.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static string? Value(string scrape, string series)
    {
        var matches = Lines(scrape).Where(l => l.StartsWith(series + " ", StringComparison.Ordinal)).ToArray();
        Assert.That(matches, Has.Length.LessThanOrEqualTo(1), $"series {series} appears more than once");
        return matches.Length == 0 ? null : matches[0][(series.Length + 1)..];
    }

    /// <summary>The names of the families in the order the scrape lists them.</summary>
    public static string[] FamilyNames(string scrape) =>
        Lines(scrape).Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToArray();
}
