using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Mesh.Observability.Metrics;

internal enum MetricType
{
    Counter,
    Gauge,
    Histogram,
}

/// <summary>Holds every series of one instrument and turns its measurements into values.</summary>
internal sealed class InstrumentAggregator
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Dictionary<Type, Kind> Kinds = new()
    {
        [typeof(Counter<>)] = Kind.Counter,
        [typeof(UpDownCounter<>)] = Kind.UpDownCounter,
        [typeof(Gauge<>)] = Kind.Gauge,
        [typeof(Histogram<>)] = Kind.Histogram,
        [typeof(ObservableCounter<>)] = Kind.ObservableCounter,
        [typeof(ObservableUpDownCounter<>)] = Kind.ObservableUpDownCounter,
        [typeof(ObservableGauge<>)] = Kind.ObservableGauge,
    };

    /// <summary>
    /// Current values that .NET 10 publishes as ObservableCounter (dotnet/runtime#126167). They are
    /// exported as the gauges they are, so rate() is never applied to them and their names stay the
    /// same once the runtime publishes them as up-down counters.
    /// </summary>
    private static readonly HashSet<string> RuntimeGaugesPublishedAsCounters =
        new(["dotnet.thread_pool.thread.count", "dotnet.thread_pool.queue.length"], StringComparer.Ordinal);

    private readonly Kind kind;
    private readonly double[] bounds;
    private readonly ConcurrentDictionary<TagSet, Series> series = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSet, Series>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> lookup;
    private long seriesCount;
    private long generation;

    private InstrumentAggregator(Instrument instrument, Kind kind)
    {
        this.kind = kind;
        lookup = series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
        Type = kind switch
        {
            Kind.Counter or Kind.ObservableCounter => MetricType.Counter,
            Kind.Histogram => MetricType.Histogram,
            _ => MetricType.Gauge,
        };
        Name = PrometheusText.MetricName(instrument.Name, instrument.Unit, Type);
        Help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        bounds = Type == MetricType.Histogram ? BucketBounds(instrument) : [];
    }

    private enum Kind
    {
        Counter,
        UpDownCounter,
        Gauge,
        Histogram,
        ObservableCounter,
        ObservableUpDownCounter,
        ObservableGauge,
    }

    public string Name { get; }

    public string Help { get; }

    public MetricType Type { get; }

    public bool IsObservable => kind is Kind.ObservableCounter or Kind.ObservableUpDownCounter or Kind.ObservableGauge;

    /// <summary>Whether equal series of two instruments merged into one family add up (gauges keep the first).</summary>
    public bool IsAdditive => kind is not (Kind.Gauge or Kind.ObservableGauge);

    /// <summary>An aggregator for a known instrument kind, or null for anything else.</summary>
    public static InstrumentAggregator? Create(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType || !Kinds.TryGetValue(type.GetGenericTypeDefinition(), out var kind))
        {
            return null;
        }

        if (kind == Kind.ObservableCounter
            && instrument.Meter.Name == "System.Runtime"
            && RuntimeGaugesPublishedAsCounters.Contains(instrument.Name))
        {
            kind = Kind.ObservableUpDownCounter;
        }

        return new InstrumentAggregator(instrument, kind);
    }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (kind is not (Kind.Counter or Kind.UpDownCounter))
        {
            Record((double)value, tags);
            return;
        }

        // A monotonic counter that went down would read as a reset; such a measurement is a bug upstream.
        if (kind == Kind.UpDownCounter || value >= 0)
        {
            Find(tags)?.Add(value);
        }
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (kind == Kind.Counter && !(value >= 0))
        {
            return;
        }

        var target = Find(tags);
        if (target is null)
        {
            return;
        }

        switch (kind)
        {
            case Kind.Counter or Kind.UpDownCounter:
                target.Add(value);
                break;
            case Kind.Histogram:
                target.Observe(BucketIndex(value), value);
                break;
            default:
                // Observable counters report their running total, so every kind left here keeps the last value.
                target.Set(value);
                target.Generation = generation;
                break;
        }
    }

    /// <summary>Starts a scrape of an observable instrument: series its callback does not report again are dropped.</summary>
    public void BeginCollection() => generation++;

    public IEnumerable<(string Labels, Sample Sample)> Collect()
    {
        foreach (var (tags, current) in series)
        {
            if (IsObservable && current.Generation != generation)
            {
                if (series.TryRemove(tags, out _))
                {
                    Interlocked.Decrement(ref seriesCount);
                }

                continue;
            }

            current.Labels ??= tags.ToLabels(Type == MetricType.Histogram);
            var sample = Type == MetricType.Histogram
                ? Sample.Histogram(bounds, current.BucketCounts(), current.Sum)
                : Sample.Scalar(current.Value);
            yield return (current.Labels, sample);
        }
    }

    private Series? Find(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (lookup.TryGetValue(tags, out var found))
        {
            return found;
        }

        if (Interlocked.Increment(ref seriesCount) > MeshMetricsExporter.MaxSeriesPerInstrument)
        {
            Interlocked.Decrement(ref seriesCount);
            return null;
        }

        var created = new Series(Type == MetricType.Histogram ? bounds.Length + 1 : 0);
        if (lookup.TryAdd(tags, created))
        {
            return created;
        }

        Interlocked.Decrement(ref seriesCount);
        return lookup.TryGetValue(tags, out found) ? found : null;
    }

    private int BucketIndex(double value)
    {
        if (double.IsNaN(value))
        {
            return bounds.Length;
        }

        var index = Array.BinarySearch(bounds, value);
        return index >= 0 ? index : ~index;
    }

    private static double[] BucketBounds(Instrument instrument)
    {
        var advised = instrument switch
        {
            Instrument<double> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<float> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<long> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<int> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<short> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<byte> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            Instrument<decimal> i => ToDoubles(i.Advice?.HistogramBucketBoundaries),
            _ => null,
        };

        // InstrumentAdvice already rejects unordered or repeated bounds; +Inf is always the implicit last bucket.
        return (advised ?? DefaultBuckets).Where(double.IsFinite).ToArray();
    }

    private static IEnumerable<double>? ToDoubles<T>(IReadOnlyList<T>? values)
        where T : struct =>
        values?.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture));
}
