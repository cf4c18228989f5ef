using System.Globalization;
using System.Text.Json;
using Mesh.Observability.Tests.Docs;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Observability.Tests.Live;

/// <summary>Every query of <c>observability/promql.md</c>, run against the Prometheus that scraped the live mesh.</summary>
public sealed class CookbookTests
{
    // Recording rules are evaluated every second and the budget gauges refresh every 5 s, so a query over them may
    // need a few evaluations after the last scrape the fixture waited for.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private static IEnumerable<TestCaseData> Queries() =>
        Cookbook.Load().Select(q => new TestCaseData(q).SetArgDisplayNames($"{q.Section}: {q.Title}"));

    [TestCaseSource(nameof(Queries))]
    public async Task Query_answers_with_finite_values_of_zero_or_more(CookbookQuery query)
    {
        // A query Prometheus refuses fails here at once with its error, not after the wait below.
        var result = await LiveMesh.Prometheus.QueryAsync(query.Expression);
        await Poll.UntilAsync(
            async () => (result = await LiveMesh.Prometheus.QueryAsync(query.Expression)).GetArrayLength() > 0,
            Settle,
            "a result for " + query.Title,
            TimeSpan.FromMilliseconds(500));
        var values = result.EnumerateArray().Select(s => (Series: s.GetProperty("metric").GetRawText(), Value: Value(s))).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(values, Is.Not.Empty);
            foreach (var (series, value) in values)
            {
                Assert.That(double.IsFinite(value), Is.True, $"{series} = {value}");
                Assert.That(value, Is.GreaterThanOrEqualTo(0), series);
                if (query.IsRatio)
                {
                    Assert.That(value, Is.LessThanOrEqualTo(1), series + " is a ratio");
                }
            }
        });
    }

    private static double Value(JsonElement sample)
    {
        var text = sample.GetProperty("value")[1].GetString()!;
        return text switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }
}
