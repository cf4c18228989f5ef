using System.Diagnostics.Metrics;
using System.Globalization;

namespace Mesh.Observability.Metrics;

/// <summary>
/// Listens to <see cref="System.Diagnostics.Metrics"/> instruments, aggregates their measurements in
/// memory and writes them in the Prometheus text exposition format 0.0.4. Every metric name starts
/// with <c>mesh_</c>; observable instruments are read at scrape time. Listening starts in the
/// constructor and stops on <see cref="Dispose"/>.
/// </summary>
public sealed class MeshMetricsExporter : IDisposable
{
    /// <summary>The content type of a scrape.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// The most series one instrument keeps. A tag with unbounded values (an id, a raw path) would
    /// otherwise grow memory and every scrape without limit; measurements that would open a
    /// series beyond this are dropped, those on existing series still count.
    /// </summary>
    public const int MaxSeriesPerInstrument = 2000;

    private readonly MeterListener listener = new();
    private readonly Func<string, bool> includeMeter;
    private readonly bool includeProcessMetrics;
    private readonly Lock registrationLock = new();
    private readonly Lock scrapeLock = new();
    private readonly Dictionary<string, Family> families = new(StringComparer.Ordinal);
    private bool disposed;

    /// <summary>Exports the mesh's own meters, the .NET runtime, ASP.NET Core hosting and Kestrel, and the process metrics.</summary>
    public MeshMetricsExporter()
        : this(IsDefaultMeter, includeProcessMetrics: true)
    {
    }

    /// <summary>Exports only the meters <paramref name="includeMeter"/> accepts (by meter name).</summary>
    /// <param name="includeMeter">Decides, by meter name, whether a meter's instruments are exported.</param>
    /// <param name="includeProcessMetrics">Whether to add the <c>mesh_process_*</c> metrics.</param>
    public MeshMetricsExporter(Func<string, bool> includeMeter, bool includeProcessMetrics)
    {
        ArgumentNullException.ThrowIfNull(includeMeter);
        this.includeMeter = includeMeter;
        this.includeProcessMetrics = includeProcessMetrics;
        listener.InstrumentPublished = OnInstrumentPublished;
        listener.MeasurementsCompleted = OnMeasurementsCompleted;
        listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record(value, tags));
        listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentAggregator)state!).Record((double)value, tags));
        listener.Start();
    }

    /// <summary>
    /// The meters exported by default: names starting with <c>Mesh</c>, <c>System.Runtime</c>,
    /// <c>Microsoft.AspNetCore.Hosting</c> and <c>Microsoft.AspNetCore.Server.Kestrel</c>.
    /// </summary>
    /// <param name="meterName">The meter's name.</param>
    public static bool IsDefaultMeter(string meterName)
    {
        ArgumentNullException.ThrowIfNull(meterName);
        return meterName.StartsWith("Mesh", StringComparison.Ordinal)
            || meterName is "System.Runtime" or "Microsoft.AspNetCore.Hosting" or "Microsoft.AspNetCore.Server.Kestrel";
    }

    /// <summary>Collects the observable instruments and returns the whole exposition.</summary>
    public string Scrape()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    /// <summary>
    /// Collects the observable instruments and writes the whole exposition: families sorted by
    /// name, series by labels, so consecutive scrapes diff line by line.
    /// </summary>
    /// <param name="writer">Receives the exposition text.</param>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ObjectDisposedException.ThrowIf(disposed, this);
        var output = new SortedDictionary<string, FamilyOutput>(StringComparer.Ordinal);
        lock (scrapeLock)
        {
            Family[] snapshot;
            lock (registrationLock)
            {
                snapshot = families.Values.Select(f => f with { Members = [.. f.Members] }).ToArray();
            }

            foreach (var aggregator in snapshot.SelectMany(f => f.Members).Where(a => a.IsObservable))
            {
                aggregator.BeginCollection();
            }

            try
            {
                listener.RecordObservableInstruments();
            }
            catch (AggregateException)
            {
                // A throwing callback only loses its own instrument's series in this scrape.
            }

            foreach (var family in snapshot)
            {
                var samples = new SortedDictionary<string, Sample>(StringComparer.Ordinal);
                foreach (var aggregator in family.Members)
                {
                    foreach (var (labels, sample) in aggregator.Collect())
                    {
                        if (!samples.TryAdd(labels, sample))
                        {
                            samples[labels].Merge(sample, aggregator.IsAdditive);
                        }
                    }
                }

                output[family.Name] = new FamilyOutput(family.Type, family.Help, samples);
            }
        }

        if (includeProcessMetrics)
        {
            foreach (var (name, type, help, value) in ProcessMetrics.Read())
            {
                output[name] = new FamilyOutput(type, help, new(StringComparer.Ordinal) { [""] = Sample.Scalar(value) });
            }
        }

        foreach (var (name, family) in output)
        {
            Write(writer, name, family);
        }
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        disposed = true;
        listener.Dispose();
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener source)
    {
        if (!includeMeter(instrument.Meter.Name) || InstrumentAggregator.Create(instrument) is not { } aggregator)
        {
            return;
        }

        lock (registrationLock)
        {
            if (ProcessMetrics.IsReserved(aggregator.Name))
            {
                return;
            }

            if (families.TryGetValue(aggregator.Name, out var family))
            {
                // Same name, different type: the first instrument keeps the name, the other is not exported.
                if (family.Type != aggregator.Type)
                {
                    return;
                }

                family.Members.Add(aggregator);
            }
            else
            {
                families.Add(aggregator.Name, new Family(aggregator.Name, aggregator.Type, aggregator.Help, [aggregator]));
            }
        }

        source.EnableMeasurementEvents(instrument, aggregator);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        if (state is not InstrumentAggregator aggregator)
        {
            return;
        }

        lock (registrationLock)
        {
            if (families.TryGetValue(aggregator.Name, out var family) && family.Members.Remove(aggregator) && family.Members.Count == 0)
            {
                families.Remove(aggregator.Name);
            }
        }
    }

    private static void Write(TextWriter writer, string name, FamilyOutput family)
    {
        if (family.Samples.Count == 0)
        {
            return;
        }

        writer.Write($"# HELP {name} {PrometheusText.EscapeHelp(family.Help)}\n");
        writer.Write($"# TYPE {name} {family.Type.ToString().ToLowerInvariant()}\n");
        foreach (var (labels, sample) in family.Samples)
        {
            if (sample.Buckets is null)
            {
                WriteLine(writer, name, labels, PrometheusText.FormatDouble(sample.Value));
                continue;
            }

            var separator = labels.Length == 0 ? "" : ",";
            long cumulative = 0;
            for (var i = 0; i < sample.Buckets.Length; i++)
            {
                cumulative += sample.Buckets[i];
                var bound = i < sample.Bounds!.Length ? PrometheusText.FormatDouble(sample.Bounds[i]) : "+Inf";
                WriteLine(writer, name + "_bucket", $"{labels}{separator}le=\"{bound}\"", cumulative.ToString(CultureInfo.InvariantCulture));
            }

            WriteLine(writer, name + "_sum", labels, PrometheusText.FormatDouble(sample.Sum));
            WriteLine(writer, name + "_count", labels, cumulative.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void WriteLine(TextWriter writer, string name, string labels, string value) =>
        writer.Write(labels.Length == 0 ? $"{name} {value}\n" : $"{name}{{{labels}}} {value}\n");

    private sealed record Family(string Name, MetricType Type, string Help, List<InstrumentAggregator> Members);

    private sealed record FamilyOutput(MetricType Type, string Help, SortedDictionary<string, Sample> Samples);
}
