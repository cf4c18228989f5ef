using System.Diagnostics.Metrics;
using System.Globalization;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Metrics;

public sealed class NamingTests
{
    [TestCase("dotnet.gc.collections", "{collection}", "mesh_dotnet_gc_collections_total")]
    [TestCase("mesh.gateway.requests", "{request}", "mesh_gateway_requests_total")]
    [TestCase("Mesh.Gateway.Requests", null, "mesh_gateway_requests_total")]
    [TestCase("meshy.widgets", null, "mesh_meshy_widgets_total")]
    [TestCase("jobs.total", null, "mesh_jobs_total")]
    [TestCase("process.cpu.time", "s", "mesh_process_cpu_time_seconds_total")]
    [TestCase("payload.bytes.total", "By", "mesh_payload_bytes_total")]
    [TestCase("Tool-Calls.Started", "1", "mesh_tool_calls_started_total")]
    [TestCase("retries..after--timeout", null, "mesh_retries_after_timeout_total")]
    public void Counter_is_prefixed_unit_suffixed_and_ends_in_total(string instrument, string? unit, string expected)
    {
        using var scope = new MeterScope();
        scope.Meter.CreateCounter<long>(instrument, unit).Add(3);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Lines(scrape), Does.Contain($"# TYPE {expected} counter"));
            Assert.That(Exposition.Value(scrape, expected), Is.EqualTo("3"));
        });
    }

    [TestCase("http.server.request.duration", "s", "mesh_http_server_request_duration_seconds")]
    [TestCase("queue.wait.seconds", "s", "mesh_queue_wait_seconds")]
    [TestCase("db.query.time", "ms", "mesh_db_query_time_milliseconds")]
    [TestCase("message.size", "By", "mesh_message_size_bytes")]
    [TestCase("batch.size", "{message}", "mesh_batch_size")]
    [TestCase("cache.hit.ratio", "1", "mesh_cache_hit_ratio")]
    public void Histogram_name_gets_the_unit_suffix_once(string instrument, string unit, string expected)
    {
        using var scope = new MeterScope();
        scope.Meter.CreateHistogram<double>(instrument, unit).Record(0.5);

        var scrape = scope.Scrape();

        Assert.Multiple(() =>
        {
            Assert.That(Exposition.Lines(scrape), Does.Contain($"# TYPE {expected} histogram"));
            Assert.That(Exposition.Value(scrape, expected + "_count"), Is.EqualTo("1"));
            Assert.That(Exposition.Value(scrape, expected + "_sum"), Is.EqualTo("0.5"));
        });
    }

    [Test]
    public void Up_down_counter_and_gauges_are_gauges_without_total()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateUpDownCounter<int>("sessions.active", "{session}").Add(2);
        scope.Meter.CreateGauge<double>("pool.utilization", "1").Record(0.25);
        scope.Meter.CreateObservableGauge("memory.free", () => 4096L, "By");

        var lines = Exposition.Lines(scope.Scrape());

        Assert.That(lines, Is.SupersetOf(new[]
        {
            "# TYPE mesh_sessions_active gauge",
            "mesh_sessions_active 2",
            "# TYPE mesh_pool_utilization gauge",
            "mesh_pool_utilization 0.25",
            "# TYPE mesh_memory_free_bytes gauge",
            "mesh_memory_free_bytes 4096",
        }));
    }

    [TestCase("dotnet.timer.count", "{timer}", "mesh_dotnet_timer_count_current")]
    [TestCase("buffer.sum", null, "mesh_buffer_sum_current")]
    [TestCase("ring.bucket", null, "mesh_ring_bucket_current")]
    [TestCase("quota.total", null, "mesh_quota_total_current")]
    [TestCase("retry.count.limit", null, "mesh_retry_count_limit")]
    public void Gauge_named_like_a_histogram_or_counter_series_gets_current_appended(string instrument, string? unit, string expected)
    {
        using var scope = new MeterScope();
        scope.Meter.CreateObservableGauge(instrument, () => 5, unit);

        Assert.That(Exposition.Lines(scope.Scrape()), Is.SupersetOf(new[] { $"# TYPE {expected} gauge", $"{expected} 5" }));
    }

    [Test]
    public void Tag_keys_become_sanitized_sorted_label_names()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateCounter<long>("requests").Add(
            1,
            new KeyValuePair<string, object?>("http.route", "/v1/sessions"),
            new KeyValuePair<string, object?>("Tool-Name", "search"),
            new KeyValuePair<string, object?>("2xx", "yes"));

        Assert.That(
            scope.Value("mesh_requests_total{_2xx=\"yes\",http_route=\"/v1/sessions\",tool_name=\"search\"}"),
            Is.EqualTo("1"));
    }

    [Test]
    public void Label_values_escape_backslash_quote_and_newline()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateCounter<long>("errors").Add(1, new KeyValuePair<string, object?>("reason", "C:\\tmp \"quoted\"\nnext"));

        Assert.That(
            scope.Value("mesh_errors_total{reason=\"C:\\\\tmp \\\"quoted\\\"\\nnext\"}"),
            Is.EqualTo("1"));
    }

    [Test]
    public void Non_string_tag_values_are_formatted_invariantly()
    {
        using var scope = new MeterScope();
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            scope.Meter.CreateCounter<long>("attempts").Add(
                1,
                new KeyValuePair<string, object?>("ratio", 1.5),
                new KeyValuePair<string, object?>("retry", true),
                new KeyValuePair<string, object?>("shard", 7),
                new KeyValuePair<string, object?>("tenant", null));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }

        Assert.That(
            scope.Value("mesh_attempts_total{ratio=\"1.5\",retry=\"true\",shard=\"7\",tenant=\"\"}"),
            Is.EqualTo("1"));
    }

    [Test]
    public void Help_comes_from_the_description_escaped_or_falls_back_to_the_name()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateCounter<long>("described", description: "Tool calls, per C:\\tools\nsecond line").Add(1);
        scope.Meter.CreateCounter<long>("undescribed").Add(1);

        var lines = Exposition.Lines(scope.Scrape());

        Assert.That(lines, Is.SupersetOf(new[]
        {
            "# HELP mesh_described_total Tool calls, per C:\\\\tools\\nsecond line",
            "# HELP mesh_undescribed_total undescribed",
        }));
    }

    [Test]
    public void A_histogram_tag_named_le_does_not_clash_with_the_bucket_label()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateHistogram<double>("latency", "s", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] })
            .Record(0.5, new KeyValuePair<string, object?>("le", "x"));

        Assert.That(scope.Value("mesh_latency_seconds_bucket{exported_le=\"x\",le=\"1\"}"), Is.EqualTo("1"));
    }

    [Test]
    public void Two_tag_keys_with_the_same_label_name_keep_the_first()
    {
        using var scope = new MeterScope();
        scope.Meter.CreateCounter<long>("lookups").Add(
            1,
            new KeyValuePair<string, object?>("cache.tier", "l1"),
            new KeyValuePair<string, object?>("cache_tier", "l2"));

        Assert.That(scope.Value("mesh_lookups_total{cache_tier=\"l1\"}"), Is.EqualTo("1"));
    }
}
