using System.Text.RegularExpressions;
using Mesh.Observability.Tests.Docs;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Live;

/// <summary>
/// <c>observability/metrics.md</c> against what each running service really exports after traffic, in both
/// directions, so the catalog cannot rot; and the naming and cardinality rules on every exported series.
/// </summary>
public sealed partial class CatalogTests
{
    /// <summary>Labels that would carry an id or a raw path, whatever their values look like.</summary>
    private static readonly HashSet<string> ForbiddenLabels = new(StringComparer.Ordinal)
    {
        "session", "request", "user", "actor", "turn", "message", "execution", "task", "key", "reservation",
        "client_msg", "url_path", "url_full", "url_query", "path", "url",
    };

    private static readonly IReadOnlyList<CatalogEntry> Catalog = MetricCatalog.Load();

    private static IEnumerable<string> Services => MetricCatalog.AllServices;

    [TestCaseSource(nameof(Services))]
    public async Task Every_catalogued_metric_of_the_service_is_exported_with_its_type_unit_and_labels(string service)
    {
        var scrape = await ScrapeAsync(service);
        var expected = Catalog.Where(e => e.IsExportedBy(service)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(expected, Is.Not.Empty);
            foreach (var entry in expected)
            {
                if (!scrape.TryGetValue(entry.Name, out var family))
                {
                    Assert.That(entry.IsRare, Is.True, $"{entry.Name} is catalogued for {service} but not exported (appears: {entry.Appears})");
                    continue;
                }
                Assert.That(family.Type, Is.EqualTo(entry.Type), entry.Name + " type");
                Assert.That(family.LabelNames, Is.SupersetOf(entry.Labels), entry.Name + ": every catalogued label is exported");
                Assert.That(family.LabelNames, Is.SubsetOf(entry.Labels.Concat(entry.OptionalLabels)), entry.Name + ": every exported label is catalogued");
            }
        });
    }

    [TestCaseSource(nameof(Services))]
    public async Task Every_metric_the_service_exports_is_catalogued_for_it_with_the_mesh_prefix(string service)
    {
        var scrape = await ScrapeAsync(service);
        var catalogued = Catalog.Where(e => e.IsExportedBy(service)).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            Assert.That(scrape.Keys, Is.All.StartWith("mesh_"));
            Assert.That(scrape.Keys.Where(name => !catalogued.Contains(name)), Is.Empty, $"exported by {service} and missing from metrics.md for it");
        });
    }

    [TestCaseSource(nameof(Services))]
    public async Task No_label_of_the_service_carries_an_id(string service)
    {
        var scrape = await ScrapeAsync(service);
        var labels = scrape.Values.SelectMany(f => f.Series.SelectMany(s => s.Select(l => (Family: f.Name, Label: l.Key, l.Value)))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(labels, Is.Not.Empty);
            Assert.That(
                labels.Where(l => ForbiddenLabels.Contains(l.Label) || l.Label.EndsWith("_id", StringComparison.Ordinal)).Select(l => $"{l.Family}{{{l.Label}}}").Distinct(),
                Is.Empty,
                "labels named like an id or a path");
            Assert.That(
                labels.Where(l => Identifier().IsMatch(l.Value)).Select(l => $"{l.Family}{{{l.Label}=\"{l.Value}\"}}").Distinct(),
                Is.Empty,
                "label values carrying a UUID: every process or entity would open new series");
        });
    }

    [TestCaseSource(nameof(Services))]
    public async Task The_service_exports_http_server_metrics(string service)
    {
        var scrape = await ScrapeAsync(service);

        Assert.Multiple(() =>
        {
            Assert.That(scrape.TryGetValue("mesh_http_server_request_duration_seconds", out var duration), Is.True, "request duration");
            Assert.That(duration?.Type, Is.EqualTo("histogram"));
            Assert.That(
                duration?.Series.Select(s => s.GetValueOrDefault("http_route")),
                Does.Contain("/metrics"),
                "Prometheus's own scrapes are measured, by route");
            Assert.That(scrape.TryGetValue("mesh_http_server_active_requests", out var active), Is.True, "active requests");
            Assert.That(active?.Type, Is.EqualTo("gauge"));
        });
    }

    private static async Task<IReadOnlyDictionary<string, ScrapedFamily>> ScrapeAsync(string service) =>
        await ExpositionReader.ScrapeAsync(LiveMesh.Stack.Services[service].Http);

    [GeneratedRegex("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")]
    private static partial Regex Identifier();
}
