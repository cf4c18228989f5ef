using System.Diagnostics.Metrics;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Metrics;

/// <summary>The exposition checked by the real <c>promtool check metrics</c> (parser and linter).</summary>
public sealed class PromtoolTests
{
    [Test]
    public async Task Every_instrument_kind_with_runtime_and_process_metrics_passes_promtool()
    {
        using var scope = new MeterScope(includeProcessMetrics: true, "System.Runtime");
        var meter = scope.Meter;
        var route = new KeyValuePair<string, object?>("http.route", "/v1/sessions/{id}");
        var odd = new KeyValuePair<string, object?>("reason", "quote \" backslash \\ newline \n end");
        meter.CreateCounter<long>("tool.calls", "{call}", "Tool calls started.").Add(3, route);
        meter.CreateCounter<double>("llm.cost", "1", "Cost in \\ dollars\nper call.").Add(0.25, odd);
        meter.CreateUpDownCounter<int>("sessions.active", "{session}").Add(2);
        meter.CreateGauge<double>("budget.remaining.ratio", "1").Record(0.75);
        meter.CreateHistogram<double>("tool.duration", "s", "Tool run time.").Record(0.3, route);
        meter.CreateHistogram<long>(
            "message.size",
            "By",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [256, 4096, 65536] }).Record(1000);
        meter.CreateObservableCounter("kafka.messages.consumed", () => 42L, "{message}");
        meter.CreateObservableUpDownCounter("kafka.consumer.lag", () => new Measurement<long>(7, new KeyValuePair<string, object?>("partition", 3)), "{message}");
        meter.CreateObservableGauge("circuit.open", () => 0, "1");
        GC.Collect();

        var scrape = scope.Scrape();
        var result = await PromtoolAsync(scrape);

        Assert.Multiple(() =>
        {
            Assert.That(scrape, Does.Contain("mesh_dotnet_gc_collections_total{"), "runtime metrics are in the checked scrape");
            Assert.That(scrape, Does.Contain("mesh_process_open_fds "), "process metrics are in the checked scrape");
            Assert.That(Exposition.FamilyNames(scrape), Has.All.StartWith("mesh_"));
            Assert.That(result.ExitCode, Is.Zero, result.StdOut + result.StdErr);
            Assert.That(result.StdOut + result.StdErr, Is.Empty, "promtool reports no lint problems");
        });
    }

    [Test]
    public void Runtime_thread_pool_sizes_are_gauges_even_though_the_runtime_publishes_them_as_counters()
    {
        using var scope = new MeterScope(includeProcessMetrics: false, "System.Runtime");

        var lines = Exposition.Lines(scope.Scrape());

        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain("# TYPE mesh_dotnet_thread_pool_thread_count_current gauge"));
            Assert.That(lines, Does.Contain("# TYPE mesh_dotnet_thread_pool_queue_length gauge"));
            Assert.That(lines, Does.Contain("# TYPE mesh_dotnet_thread_pool_work_item_count_total counter"));
        });
    }

    [Test]
    public async Task Promtool_check_reports_what_it_finds_wrong()
    {
        var result = await PromtoolAsync("# HELP mesh_requests Requests.\n# TYPE mesh_requests counter\nmesh_requests 1\n");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.StdOut + result.StdErr, Does.Contain("_total"));
        });
    }

    /// <summary>Runs <c>promtool check metrics</c> on the text; CI installs promtool, so its absence fails the test.</summary>
    internal static async Task<ProcessRunner.Result> PromtoolAsync(string exposition)
    {
        var promtool = ProcessRunner.Which("promtool") ?? (File.Exists("/usr/bin/promtool") ? "/usr/bin/promtool" : null);
        if (promtool is null)
        {
            Assert.Fail("promtool is not installed (Debian package 'prometheus'); it is required to validate the metrics exposition.");
        }

        return await ProcessRunner.RunAsync(promtool!, ["check", "metrics"], exposition, TimeSpan.FromSeconds(30));
    }
}
