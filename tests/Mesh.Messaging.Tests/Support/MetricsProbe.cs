using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mesh.Infra.Messaging;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Support;

/// <summary>One measurement of a Mesh.Messaging instrument.</summary>
public sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, string> Tags);

/// <summary>Listens to the Mesh.Messaging meter for the duration of a test.</summary>
public sealed class MetricsProbe : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<Measured> measurements = new();
    private readonly ConcurrentQueue<Measured> observed = new();
    private readonly Lock observing = new();

    public MetricsProbe()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MessagingMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        listener.Start();
    }

    /// <summary>The sum of a counter's measurements whose tags include all of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(measurements, instrument, tags).Sum(m => m.Value);

    /// <summary>
    /// Waits until a counter's sum reaches <paramref name="expected"/>: the host counts a message just after its
    /// handler returns or its dead letter is written, a moment after a test can see either.
    /// </summary>
    public Task WaitForSumAsync(string instrument, double expected, params (string Key, string Value)[] tags) =>
        Poll.UntilAsync(() => Sum(instrument, tags) >= expected, TimeSpan.FromSeconds(10), $"{instrument} to reach {expected}");

    /// <summary>How many measurements an instrument took whose tags include all of <paramref name="tags"/>.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        Matching(measurements, instrument, tags).Count();

    /// <summary>Reads the observable instruments now and returns the gauge values whose tags include all of <paramref name="tags"/>.</summary>
    public IReadOnlyList<double> Observe(string instrument, params (string Key, string Value)[] tags)
    {
        lock (observing)
        {
            observed.Clear();
            listener.RecordObservableInstruments();
            return [.. Matching(observed, instrument, tags).Select(m => m.Value)];
        }
    }

    public void Dispose() => listener.Dispose();

    private static IEnumerable<Measured> Matching(IEnumerable<Measured> source, string instrument, (string Key, string Value)[] tags) =>
        source.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value));

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        }

        (instrument.IsObservable ? observed : measurements).Enqueue(new Measured(instrument.Name, value, copy));
    }
}
