using System.Text.RegularExpressions;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Docs;

/// <summary>
/// The metric catalog and the PromQL cookbook agree with the naming rules, with each other and with the rules in
/// <c>observability/rules</c>. What the running services export is checked in <c>Live</c>.
/// </summary>
public sealed partial class ObservabilityDocsTests
{
    private static readonly string[] Types = ["counter", "gauge", "histogram"];
    private static readonly string[] Units = ["seconds", "bytes", "-"];
    private static readonly string[] Appearances = ["at start", "with traffic"];

    [Test]
    public void Catalog_rows_follow_the_naming_rules_and_name_each_metric_once()
    {
        var catalog = MetricCatalog.Load();

        Assert.Multiple(() =>
        {
            Assert.That(catalog, Has.Count.GreaterThan(40), "the catalog's rows were found");
            Assert.That(catalog.Select(e => e.Name), Is.Unique);
            foreach (var entry in catalog)
            {
                Assert.That(entry.Name, Does.Match("^mesh_[a-z0-9_]+$"), "prefix and characters");
                Assert.That(Types, Does.Contain(entry.Type), entry.Name + " type");
                Assert.That(Units, Does.Contain(entry.Unit), entry.Name + " unit");
                Assert.That(entry.Services, Is.Not.Empty.And.SubsetOf(MetricCatalog.AllServices), entry.Name + " services");
                Assert.That(entry.IsRare || Appearances.Contains(entry.Appears), Is.True, $"{entry.Name} appears: '{entry.Appears}'");
                Assert.That(entry.Labels.Concat(entry.OptionalLabels), Is.Unique.And.All.Match("^[a-z][a-z0-9_]*$"), entry.Name + " labels");
                Assert.That(entry.Name.EndsWith("_total", StringComparison.Ordinal), Is.EqualTo(entry.Type == "counter"), entry.Name + ": counters, and only counters, end in _total");

                var stem = entry.Type == "counter" ? entry.Name[..^"_total".Length] : entry.Name;
                var unitSuffix = stem.EndsWith("_seconds", StringComparison.Ordinal) ? "seconds" : stem.EndsWith("_bytes", StringComparison.Ordinal) ? "bytes" : "-";
                Assert.That(entry.Unit, Is.EqualTo(unitSuffix), entry.Name + ": the unit is the name's suffix");
            }
        });
    }

    [Test]
    public void Cookbook_has_between_15_and_25_titled_queries()
    {
        var queries = Cookbook.Load();

        Assert.Multiple(() =>
        {
            Assert.That(queries, Has.Count.InRange(15, 25));
            Assert.That(queries.Select(q => q.Title), Is.Unique.And.All.Not.Empty);
            Assert.That(queries.Select(q => q.Expression), Is.All.Not.Empty);
            Assert.That(queries.Where(q => q.IsRatio), Is.Not.Empty, "ratios are tagged " + Cookbook.RatioTag);
        });
    }

    [Test]
    public void Cookbook_uses_every_recording_rule_and_only_recorded_names_that_exist()
    {
        var recorded = RuleNames("recording.yml", "record");
        var used = Cookbook.Load().SelectMany(q => RecordedName().Matches(q.Expression).Select(m => m.Value)).ToHashSet();

        Assert.Multiple(() =>
        {
            Assert.That(recorded, Is.Not.Empty);
            foreach (var rule in recorded)
            {
                Assert.That(used.Any(name => Regex.IsMatch(rule, "^" + name + "$")), Is.True, rule + " is used by a query");
            }
            foreach (var name in used)
            {
                Assert.That(recorded.Any(rule => Regex.IsMatch(rule, "^" + name + "$")), Is.True, name + " is a recording rule");
            }
        });
    }

    [Test]
    public void Cookbook_reads_only_catalogued_metrics()
    {
        var catalog = MetricCatalog.Load().ToDictionary(e => e.Name);
        var read = Cookbook.Load().SelectMany(q => RawMetricName().Matches(q.Expression).Select(m => m.Value)).ToHashSet();

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.Not.Empty);
            foreach (var name in read)
            {
                var histogram = Regex.Replace(name, "_(bucket|sum|count)$", "");
                Assert.That(
                    catalog.ContainsKey(name) || (catalog.TryGetValue(histogram, out var entry) && entry.Type == "histogram"),
                    Is.True,
                    name + " is in metrics.md");
            }
        });
    }

    [Test]
    public void Every_alert_has_a_runbook_line_in_the_cookbook()
    {
        var alerts = RuleNames("alerts.yml", "alert");
        var runbook = Cookbook.Text;

        Assert.Multiple(() =>
        {
            Assert.That(alerts, Is.Not.Empty);
            foreach (var alert in alerts)
            {
                Assert.That(runbook, Does.Contain($"| `{alert}` |"), alert);
            }
        });
    }

    private static List<string> RuleNames(string file, string key) =>
        File.ReadAllLines(RepoPaths.Combine("observability", "rules", file))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith($"- {key}:", StringComparison.Ordinal))
            .Select(l => l.Split(':', 2)[1].Trim())
            .ToList();

    /// <summary>A recorded name (<c>level:metric:operations</c>), or a pattern of them in a <c>__name__</c> matcher.</summary>
    [GeneratedRegex(@"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+(\([0-9|]+\)[a-z0-9_]*)?")]
    private static partial Regex RecordedName();

    /// <summary>A raw metric name, not the middle part of a recorded name.</summary>
    [GeneratedRegex(@"(?<![:\w])mesh_[a-z0-9_]+")]
    private static partial Regex RawMetricName();
}
