using System.Globalization;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Metrics;

public sealed class ExpositionTests
{
    [Test]
    public void Families_are_sorted_by_name_and_series_by_labels()
    {
        using var scope = new MeterScope();
        var zeta = scope.Meter.CreateCounter<long>("zeta");
        var alpha = scope.Meter.CreateCounter<long>("alpha");
        zeta.Add(1, new KeyValuePair<string, object?>("tool", "web"));
        zeta.Add(1, new KeyValuePair<string, object?>("tool", "calc"));
        alpha.Add(1, new KeyValuePair<string, object?>("tool", "shell"));
        alpha.Add(1, new KeyValuePair<string, object?>("tool", "fetch"));
        scope.Meter.CreateGauge<int>("middle").Record(1);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.FamilyNames(scrape), Is.EqualTo(new[] { "mesh_alpha_total", "mesh_middle", "mesh_zeta_total" }));
            Assert.That(Exposition.Lines(scrape).Where(l => !l.StartsWith('#')), Is.EqualTo(new[]
            {
                "mesh_alpha_total{tool=\"fetch\"} 1",
                "mesh_alpha_total{tool=\"shell\"} 1",
                "mesh_middle 1",
                "mesh_zeta_total{tool=\"calc\"} 1",
                "mesh_zeta_total{tool=\"web\"} 1",
            }));
            Assert.That(scrape, Is.EqualTo(scope.Scrape()), "an unchanged state scrapes to the same text");
            Assert.That(scrape, Does.EndWith("\n").And.Not.Contain("\r"));
        });
    }

    [Test]
    public void Same_name_and_type_from_two_meters_merge_into_one_family()
    {
        using var scope = new MeterScope();
        var gateway = scope.Meter.CreateCounter<long>("messages.dead_lettered", description: "Messages sent to a DLQ.");
        var worker = scope.CreateMeter().CreateCounter<double>("messages.dead_lettered");
        gateway.Add(2, new KeyValuePair<string, object?>("topic", "tool.requests"));
        worker.Add(3, new KeyValuePair<string, object?>("topic", "tool.requests"));
        worker.Add(1, new KeyValuePair<string, object?>("topic", "tool.results"));

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.FamilyNames(scrape), Is.EqualTo(new[] { "mesh_messages_dead_lettered_total" }));
            Assert.That(Exposition.Lines(scrape).Count(l => l.StartsWith("# HELP", StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(Exposition.Value(scrape, "mesh_messages_dead_lettered_total{topic=\"tool.requests\"}"), Is.EqualTo("5"));
            Assert.That(Exposition.Value(scrape, "mesh_messages_dead_lettered_total{topic=\"tool.results\"}"), Is.EqualTo("1"));
        });
    }

    [Test]
    public void Same_tags_in_another_order_are_one_series()
    {
        using var scope = new MeterScope();
        var counter = scope.Meter.CreateCounter<long>("turns");
        var tenant = new KeyValuePair<string, object?>("tenant", "t1");
        var persona = new KeyValuePair<string, object?>("persona", "analyst");
        counter.Add(1, tenant, persona);
        counter.Add(1, persona, tenant);

        Assert.That(scope.Value("mesh_turns_total{persona=\"analyst\",tenant=\"t1\"}"), Is.EqualTo("2"));
    }

    [Test]
    public void Same_histogram_from_two_meters_adds_buckets()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateHistogram<double>("llm.latency", "s").Record(0.2);
        scope.CreateMeter().CreateHistogram<double>("llm.latency", "s").Record(3);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Value(scrape, "mesh_llm_latency_seconds_bucket{le=\"0.25\"}"), Is.EqualTo("1"));
            Assert.That(Exposition.Value(scrape, "mesh_llm_latency_seconds_bucket{le=\"5\"}"), Is.EqualTo("2"));
            Assert.That(Exposition.Value(scrape, "mesh_llm_latency_seconds_count"), Is.EqualTo("2"));
            Assert.That(Exposition.Value(scrape, "mesh_llm_latency_seconds_sum"), Is.EqualTo("3.2"));
        });
    }

    [Test]
    public void A_name_taken_by_another_type_keeps_the_first_and_skips_the_second()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateUpDownCounter<long>("queue.depth").Add(4);
        var histogram = scope.CreateMeter().CreateHistogram<long>("queue.depth");

        Assert.DoesNotThrow(() => histogram.Record(9));
        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.FamilyNames(scrape), Is.EqualTo(new[] { "mesh_queue_depth" }));
            Assert.That(Exposition.Lines(scrape), Does.Contain("# TYPE mesh_queue_depth gauge"));
            Assert.That(Exposition.Value(scrape, "mesh_queue_depth"), Is.EqualTo("4"));
            Assert.That(scrape, Does.Not.Contain("_bucket"));
        });
    }

    [Test]
    public void Values_are_formatted_invariantly_with_prometheus_infinities()
    {
        using var scope = new MeterScope();
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            scope.Meter.CreateGauge<double>("fraction").Record(1.5);
            scope.Meter.CreateGauge<double>("ceiling").Record(double.PositiveInfinity);
            scope.Meter.CreateGauge<double>("floor").Record(double.NegativeInfinity);
            scope.Meter.CreateGauge<double>("unknown").Record(double.NaN);
            scope.Meter.CreateGauge<double>("tiny").Record(1e-7);
            scope.Meter.CreateGauge<long>("huge").Record(long.MaxValue);

            var scrape = scope.Scrape();

            Assert.Multiple(() =>
            {
                Assert.That(Exposition.Value(scrape, "mesh_fraction"), Is.EqualTo("1.5"));
                Assert.That(Exposition.Value(scrape, "mesh_ceiling"), Is.EqualTo("+Inf"));
                Assert.That(Exposition.Value(scrape, "mesh_floor"), Is.EqualTo("-Inf"));
                Assert.That(Exposition.Value(scrape, "mesh_unknown"), Is.EqualTo("NaN"));
                Assert.That(double.Parse(Exposition.Value(scrape, "mesh_tiny")!, CultureInfo.InvariantCulture), Is.EqualTo(1e-7));
                Assert.That(double.Parse(Exposition.Value(scrape, "mesh_huge")!, CultureInfo.InvariantCulture), Is.EqualTo((double)long.MaxValue));
            });
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Test]
    public void Instruments_without_measurements_and_disposed_meters_are_not_exported()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateCounter<long>("never.used");
        var temporary = scope.CreateMeter();
        temporary.CreateCounter<long>("short.lived").Add(1);

        var before = scope.Scrape();
        temporary.Dispose();
        var after = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(before, Does.Not.Contain("mesh_never_used"));
            Assert.That(Exposition.Value(before, "mesh_short_lived_total"), Is.EqualTo("1"));
            Assert.That(after, Is.Empty);
        });
    }

    [Test]
    public void Process_metrics_are_exported_with_plausible_values()
    {
        using var scope = new MeterScope(includeProcessMetrics: true);

        var scrape = scope.Scrape();
        double Read(string name) => double.Parse(Exposition.Value(scrape, name) ?? "NaN", CultureInfo.InvariantCulture);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Lines(scrape), Does.Contain("# TYPE mesh_process_cpu_seconds_total counter"));
            Assert.That(Read("mesh_process_cpu_seconds_total"), Is.GreaterThan(0));
            Assert.That(Read("mesh_process_resident_memory_bytes"), Is.GreaterThan(1 << 20));
            Assert.That(Read("mesh_process_virtual_memory_bytes"), Is.GreaterThanOrEqualTo(Read("mesh_process_resident_memory_bytes")));
            Assert.That(Read("mesh_process_start_time_seconds"), Is.InRange(now - 3600, now));
            Assert.That(Read("mesh_process_open_fds"), Is.GreaterThan(2));
            Assert.That(Read("mesh_process_threads"), Is.GreaterThan(1));
        });
    }

    [Test]
    public void Process_metrics_can_be_left_out()
    {
        using var scope = new MeterScope(includeProcessMetrics: false);
        scope.Meter.CreateCounter<long>("requests").Add(1);

        Assert.That(scope.Scrape(), Does.Not.Contain("mesh_process_"));
    }

    [Test]
    public void An_instrument_cannot_take_a_process_metric_name()
    {
        using var scope = new MeterScope(includeProcessMetrics: true);
        scope.Meter.CreateObservableGauge("process.threads", () => -1L);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Lines(scrape).Count(l => l == "# TYPE mesh_process_threads gauge"), Is.EqualTo(1));
            Assert.That(Exposition.Value(scrape, "mesh_process_threads"), Is.Not.EqualTo("-1"));
        });
    }
}
