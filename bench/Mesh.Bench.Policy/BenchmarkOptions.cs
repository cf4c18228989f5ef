using System.Globalization;

namespace Mesh.Bench.Policy;

/// <summary>Sizes of one run, overridable from the environment (<c>BENCH_*</c>) for quick runs.</summary>
public sealed record BenchmarkOptions(int Tuples, int Samples, int Workers, TimeSpan ThroughputWindow)
{
    public static BenchmarkOptions FromEnvironment() => new(
        Read("BENCH_TUPLES", 100_000),
        Read("BENCH_SAMPLES", 2_000),
        Read("BENCH_WORKERS", Environment.ProcessorCount * 2),
        TimeSpan.FromSeconds(Read("BENCH_THROUGHPUT_SECONDS", 5)));

    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}
