using System.Globalization;

namespace Mesh.Bench.Chat;

/// <summary>A set of measured durations in milliseconds and their percentiles.</summary>
internal sealed class Latencies(string name)
{
    private readonly List<double> values = [];
    private readonly Lock gate = new();

    public string Name { get; } = name;

    public int Count
    {
        get
        {
            lock (gate)
            {
                return values.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (gate)
        {
            values.Add(milliseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (gate)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }
            var sorted = values.Order().ToArray();
            return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name,-34} n={Count,-6} p50={Percentile(50),8:0.0} ms  p95={Percentile(95),8:0.0} ms  p99={Percentile(99),8:0.0} ms  max={Percentile(100),8:0.0} ms");
}
