namespace Mesh.Observability.Metrics;

/// <summary>One series as a scrape shows it: a value, or a histogram's buckets, sum and count.</summary>
internal sealed class Sample
{
    private Sample(double value, double[]? bounds, long[]? buckets, double sum)
    {
        Value = value;
        Bounds = bounds;
        Buckets = buckets;
        Sum = sum;
    }

    public double Value { get; private set; }

    /// <summary>Upper bounds of a histogram's finite buckets, ascending; null for counters and gauges.</summary>
    public double[]? Bounds { get; }

    /// <summary>Per-bucket counts (not cumulative), one more than <see cref="Bounds"/> for +Inf.</summary>
    public long[]? Buckets { get; }

    public double Sum { get; private set; }

    public static Sample Scalar(double value) => new(value, null, null, 0);

    public static Sample Histogram(double[] bounds, long[] buckets, double sum) => new(0, bounds, buckets, sum);

    /// <summary>
    /// Folds a series with the same name and labels from another instrument into this one:
    /// sums add up; gauges and histograms with different buckets keep the first.
    /// </summary>
    public void Merge(Sample other, bool additive)
    {
        if (Buckets is not null && other.Buckets is not null && Bounds!.AsSpan().SequenceEqual(other.Bounds))
        {
            for (var i = 0; i < Buckets.Length; i++)
            {
                Buckets[i] += other.Buckets[i];
            }

            Sum += other.Sum;
        }
        else if (additive && Buckets is null && other.Buckets is null)
        {
            Value += other.Value;
        }
    }
}
