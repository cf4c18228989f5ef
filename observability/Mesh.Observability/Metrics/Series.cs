namespace Mesh.Observability.Metrics;

/// <summary>
/// The running value of one series. Updates are lock-free (interlocked), so measurements on
/// different series never contend and measurements on one series never block each other.
/// </summary>
internal sealed class Series(int bucketCount)
{
    private readonly long[] buckets = new long[bucketCount];
    private long integral;
    private double floating;

    /// <summary>The scrape in which an observable instrument last reported this series.</summary>
    public long Generation { get; set; }

    /// <summary>The label text, computed on the first scrape that shows the series.</summary>
    public string? Labels { get; set; }

    public double Value => Interlocked.Read(ref integral) + Volatile.Read(ref floating);

    public double Sum => Volatile.Read(ref floating);

    public void Add(long delta) => Interlocked.Add(ref integral, delta);

    public void Add(double delta) => AddDouble(ref floating, delta);

    public void Set(double value) => Volatile.Write(ref floating, value);

    public void Observe(int bucket, double value)
    {
        Interlocked.Increment(ref buckets[bucket]);
        AddDouble(ref floating, value);
    }

    /// <summary>Per-bucket counts (not cumulative), the last one being the +Inf bucket.</summary>
    public long[] BucketCounts()
    {
        var counts = new long[buckets.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = Interlocked.Read(ref buckets[i]);
        }

        return counts;
    }

    private static void AddDouble(ref double location, double delta)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var observed = Interlocked.CompareExchange(ref location, current + delta, current);
            // Compared as bits: NaN never equals itself and would spin forever.
            if (BitConverter.DoubleToInt64Bits(observed) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = observed;
        }
    }
}
