using System.Globalization;
using Mesh.Observability.Tests.Docs;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Live;

/// <summary>
/// The whole mesh running for real (five services, PostgreSQL, Redis, embedded Kafka) with a real Prometheus
/// scraping every service under its job name, after traffic that exercises each service's metrics.
/// </summary>
[SetUpFixture]
public sealed class LiveMesh
{
    /// <summary>The five services; each is also the name of its Prometheus job.</summary>
    public static IReadOnlyList<string> ServiceNames => MetricCatalog.AllServices;

    private static MeshStack? stack;
    private static PrometheusServer? prometheus;

    public static MeshStack Stack => stack ?? throw new InvalidOperationException("The live mesh did not start.");

    public static PrometheusServer Prometheus => prometheus ?? throw new InvalidOperationException("Prometheus did not start.");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        stack = await MeshStack.StartAsync([.. ServiceNames]);
        prometheus = await PrometheusServer.StartAsync(ServiceNames.ToDictionary(name => name, name => Stack.Services[name].BaseAddress));

        // A counter's first scraped value is its baseline: rate() and increase() only see what changes after
        // Prometheus has scraped a series once. So the first round makes the series exist, the second moves them.
        var traffic = await Traffic.PrepareAsync(Stack);
        await traffic.RoundAsync(1);
        var firstRoundDone = DateTimeOffset.UtcNow;
        await Task.WhenAll(Traffic.FirstRoundSeries.Select(series => Prometheus.WaitForSeriesAsync(series, TimeSpan.FromSeconds(30))));
        await WaitForScrapesAfterAsync(firstRoundDone, 1);
        await traffic.RoundAsync(2);
        await WaitForScrapesAfterAsync(DateTimeOffset.UtcNow, 2);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (prometheus is not null)
        {
            await prometheus.DisposeAsync();
        }
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }

    /// <summary>Waits until Prometheus has scraped every service at least <paramref name="scrapes"/> times after <paramref name="instant"/>.</summary>
    private static Task WaitForScrapesAfterAsync(DateTimeOffset instant, int scrapes)
    {
        // Targets are scraped every second: a latest scrape at least n-1 seconds after the first one past the instant means n scrapes.
        var after = (instant.ToUnixTimeMilliseconds() / 1000.0 + scrapes).ToString("0.000", CultureInfo.InvariantCulture);
        return Prometheus.WaitForSeriesAsync($"count(timestamp(up == 1) > {after}) == {ServiceNames.Count}", TimeSpan.FromSeconds(30));
    }
}
