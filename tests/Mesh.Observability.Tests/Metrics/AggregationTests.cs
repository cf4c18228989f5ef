using System.Diagnostics.Metrics;
using System.Globalization;
using Mesh.Observability.Metrics;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Metrics;

public sealed class AggregationTests
{
    private static readonly KeyValuePair<string, object?> Search = new("tool", "search");
    private static readonly KeyValuePair<string, object?> Fetch = new("tool", "fetch");

    [Test]
    public void Counter_adds_up_per_series_and_ignores_negative_deltas()
    {
        using var scope = new MeterScope();
        var longCounter = scope.Meter.CreateCounter<long>("calls");
        var doubleCounter = scope.Meter.CreateCounter<double>("cost");
        longCounter.Add(2, Search);
        longCounter.Add(3, Search);
        longCounter.Add(-10, Search);
        longCounter.Add(1, Fetch);
        doubleCounter.Add(0.25);
        doubleCounter.Add(0.5);
        doubleCounter.Add(-1);
        doubleCounter.Add(double.NaN);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Value(scrape, "mesh_calls_total{tool=\"search\"}"), Is.EqualTo("5"));
            Assert.That(Exposition.Value(scrape, "mesh_calls_total{tool=\"fetch\"}"), Is.EqualTo("1"));
            Assert.That(Exposition.Value(scrape, "mesh_cost_total"), Is.EqualTo("0.75"));
        });
    }

    [Test]
    public void Up_down_counter_goes_down_as_well_as_up()
    {
        using var scope = new MeterScope();
        var active = scope.Meter.CreateUpDownCounter<long>("connections.active");
        active.Add(5);
        active.Add(-7);

        Assert.That(scope.Value("mesh_connections_active"), Is.EqualTo("-2"));
    }

    [Test]
    public void Gauge_keeps_the_last_recorded_value()
    {
        using var scope = new MeterScope();
        var gauge = scope.Meter.CreateGauge<int>("queue.length");
        gauge.Record(10);
        gauge.Record(4);

        Assert.That(scope.Value("mesh_queue_length"), Is.EqualTo("4"));
    }

    [Test]
    public void Observable_gauge_is_read_at_each_scrape()
    {
        using var scope = new MeterScope();
        var depth = 3;
        var calls = 0;
        scope.Meter.CreateObservableGauge("backlog", () =>
        {
            calls++;
            return new Measurement<int>(depth, Search);
        });

        var first = scope.Value("mesh_backlog{tool=\"search\"}");
        depth = 8;
        var second = scope.Value("mesh_backlog{tool=\"search\"}");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("3"));
            Assert.That(second, Is.EqualTo("8"));
            Assert.That(calls, Is.EqualTo(2));
        });
    }

    [Test]
    public void Observable_counter_reports_its_running_total_without_accumulating_across_scrapes()
    {
        using var scope = new MeterScope();
        long total = 40;
        scope.Meter.CreateObservableCounter("bytes.sent", () => total, "By");

        var first = scope.Value("mesh_bytes_sent_bytes_total");
        total = 42;
        var second = scope.Value("mesh_bytes_sent_bytes_total");
        var third = scope.Value("mesh_bytes_sent_bytes_total");

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("40"));
            Assert.That(second, Is.EqualTo("42"));
            Assert.That(third, Is.EqualTo("42"));
            Assert.That(Exposition.Lines(scope.Scrape()), Does.Contain("# TYPE mesh_bytes_sent_bytes_total counter"));
        });
    }

    [Test]
    public void Observable_up_down_counter_is_a_gauge_of_the_reported_value()
    {
        using var scope = new MeterScope();
        var reported = 12.5;
        scope.Meter.CreateObservableUpDownCounter("heap.size", () => reported, "By");

        var first = scope.Value("mesh_heap_size_bytes");
        reported = 2;

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("12.5"));
            Assert.That(scope.Value("mesh_heap_size_bytes"), Is.EqualTo("2"));
            Assert.That(Exposition.Lines(scope.Scrape()), Does.Contain("# TYPE mesh_heap_size_bytes gauge"));
        });
    }

    [Test]
    public void Observable_series_no_longer_reported_disappear()
    {
        using var scope = new MeterScope();
        var tools = new List<KeyValuePair<string, object?>> { Search, Fetch };
        scope.Meter.CreateObservableGauge("tool.workers", () => tools.Select(t => new Measurement<long>(1, t)).ToArray());

        var before = scope.Scrape();
        tools.Remove(Fetch);
        var after = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Value(before, "mesh_tool_workers{tool=\"fetch\"}"), Is.EqualTo("1"));
            Assert.That(Exposition.Value(after, "mesh_tool_workers{tool=\"fetch\"}"), Is.Null);
            Assert.That(Exposition.Value(after, "mesh_tool_workers{tool=\"search\"}"), Is.EqualTo("1"));
        });
    }

    [Test]
    public void A_throwing_observable_callback_does_not_break_the_scrape()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateObservableGauge("broken", new Func<long>(() => throw new InvalidOperationException("probe failed")));
        scope.Meter.CreateObservableGauge("healthy", () => 1L);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Value(scrape, "mesh_healthy"), Is.EqualTo("1"));
            Assert.That(scrape, Does.Not.Contain("mesh_broken"));
        });
    }

    [Test]
    public void Histogram_buckets_are_cumulative_over_the_advised_bounds()
    {
        using var scope = new MeterScope();
        var histogram = scope.Meter.CreateHistogram<double>(
            "tool.duration",
            "s",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 1, 10] });
        foreach (var value in new[] { 0.125, 0.25, 0.5, 5, 50 })
        {
            histogram.Record(value, Search);
        }

        var lines = Exposition.Lines(scope.Scrape()).Where(l => l.StartsWith("mesh_tool_duration_seconds", StringComparison.Ordinal));

        Assert.That(lines, Is.EqualTo(new[]
        {
            "mesh_tool_duration_seconds_bucket{tool=\"search\",le=\"0.25\"} 2",
            "mesh_tool_duration_seconds_bucket{tool=\"search\",le=\"1\"} 3",
            "mesh_tool_duration_seconds_bucket{tool=\"search\",le=\"10\"} 4",
            "mesh_tool_duration_seconds_bucket{tool=\"search\",le=\"+Inf\"} 5",
            "mesh_tool_duration_seconds_sum{tool=\"search\"} 55.875",
            "mesh_tool_duration_seconds_count{tool=\"search\"} 5",
        }));
    }

    [Test]
    public void Integer_histogram_uses_its_integer_advice()
    {
        using var scope = new MeterScope();
        var histogram = scope.Meter.CreateHistogram<int>(
            "batch.messages",
            "{message}",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [10, 100] });
        histogram.Record(10);
        histogram.Record(11);
        histogram.Record(1000);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Value(scrape, "mesh_batch_messages_bucket{le=\"10\"}"), Is.EqualTo("1"));
            Assert.That(Exposition.Value(scrape, "mesh_batch_messages_bucket{le=\"100\"}"), Is.EqualTo("2"));
            Assert.That(Exposition.Value(scrape, "mesh_batch_messages_bucket{le=\"+Inf\"}"), Is.EqualTo("3"));
            Assert.That(Exposition.Value(scrape, "mesh_batch_messages_sum"), Is.EqualTo("1021"));
        });
    }

    [Test]
    public void Histogram_without_advice_uses_the_prometheus_default_buckets()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateHistogram<double>("step.duration", "s").Record(0.3);

        var bounds = Exposition.Lines(scope.Scrape())
            .Where(l => l.StartsWith("mesh_step_duration_seconds_bucket", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf("le=\"", StringComparison.Ordinal) + 4)..l.IndexOf("\"}", StringComparison.Ordinal)]);

        Assert.That(bounds, Is.EqualTo(new[] { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf" }));
    }

    [Test]
    public void Concurrent_measurements_are_all_counted()
    {
        using var scope = new MeterScope();
        var counter = scope.Meter.CreateCounter<long>("hits");
        var histogram = scope.Meter.CreateHistogram<double>("spread", "s");
        var tools = new[] { Search, Fetch };

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (var i = 0; i < 25_000; i++)
            {
                counter.Add(1, tools[i % 2]);
                histogram.Record(0.5);
            }
        });

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Value(scrape, "mesh_hits_total{tool=\"search\"}"), Is.EqualTo("100000"));
            Assert.That(Exposition.Value(scrape, "mesh_hits_total{tool=\"fetch\"}"), Is.EqualTo("100000"));
            Assert.That(Exposition.Value(scrape, "mesh_spread_seconds_count"), Is.EqualTo("200000"));
            Assert.That(Exposition.Value(scrape, "mesh_spread_seconds_sum"), Is.EqualTo("100000"));
        });
    }

    [Test]
    public void Measurements_on_a_known_series_do_not_allocate()
    {
        using var scope = new MeterScope();
        var counter = scope.Meter.CreateCounter<long>("allocation.probe");
        var histogram = scope.Meter.CreateHistogram<double>("allocation.latency", "s");
        var route = new KeyValuePair<string, object?>("http.route", "/v1/sessions");
        var method = new KeyValuePair<string, object?>("http.method", "GET");
        for (var i = 0; i < 1_000; i++)
        {
            counter.Add(1, route, method);
            histogram.Record(0.01, route, method);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            counter.Add(1, route, method);
            histogram.Record(0.01, route, method);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.LessThan(1_000), "bytes allocated by 200,000 measurements");
            Assert.That(scope.Value("mesh_allocation_probe_total{http_method=\"GET\",http_route=\"/v1/sessions\"}"), Is.EqualTo("101000"));
        });
    }

    [Test]
    public void New_series_beyond_the_cap_are_dropped()
    {
        using var scope = new MeterScope();
        var counter = scope.Meter.CreateCounter<long>("per.request");
        for (var i = 0; i < MeshMetricsExporter.MaxSeriesPerInstrument + 50; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("request_id", i.ToString(CultureInfo.InvariantCulture)));
        }

        counter.Add(1, new KeyValuePair<string, object?>("request_id", "0"));
        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Lines(scrape).Count(l => l.StartsWith("mesh_per_request_total{", StringComparison.Ordinal)), Is.EqualTo(MeshMetricsExporter.MaxSeriesPerInstrument));
            Assert.That(Exposition.Value(scrape, "mesh_per_request_total{request_id=\"0\"}"), Is.EqualTo("2"));
        });
    }
}
