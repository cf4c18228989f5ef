using System.Globalization;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>
/// Every test of OpenFGA's conformance suite as its own NUnit case, through the API a subclass provides. A second
/// variant sends each single-stage test's tuples as contextual tuples instead of writing them, as OpenFGA's own
/// runner does. Cases that use conditions (CEL) are skipped by design and counted separately.
/// </summary>
public abstract class OpenFgaConformanceTests
{
    protected ConformanceTally Stored { get; } = new("stored tuples");

    protected ConformanceTally Contextual { get; } = new("stage tuples as contextual tuples");

    public static IEnumerable<TestCaseData> StoredTupleCases() => Cases(ConformanceSuite.All, "");

    public static IEnumerable<TestCaseData> ContextualTupleCases() =>
        Cases(ConformanceSuite.All.Where(t => t.Stages.Count == 1).ToList(), "_ctxTuples");

    [Order(1)]
    [TestCaseSource(nameof(StoredTupleCases))]
    public async Task Conformance_case_passes_with_written_tuples(ConformanceTest test) =>
        await RunAsync(test, stageTuplesAsContext: false, Stored);

    [Order(1)]
    [TestCaseSource(nameof(ContextualTupleCases))]
    public async Task Conformance_case_passes_with_stage_tuples_sent_as_contextual_tuples(ConformanceTest test) =>
        await RunAsync(test, stageTuplesAsContext: true, Contextual);

    [OneTimeTearDown]
    public void Report()
    {
        TestContext.Progress.WriteLine($"OpenFGA conformance ({ConformanceSuite.FileName}) through {Transport}:");
        TestContext.Progress.WriteLine(Stored.Summary());
        TestContext.Progress.WriteLine(Contextual.Summary());
    }

    /// <summary>How the API is reached, for the report.</summary>
    protected abstract string Transport { get; }

    /// <summary>The API one conformance test runs against.</summary>
    protected abstract Task<IAuthorizationApi> ApiAsync();

    /// <summary>Runs one test and records its outcome; returns the failures.</summary>
    protected async Task<IReadOnlyList<string>> RunAndRecordAsync(ConformanceTest test, bool stageTuplesAsContext, ConformanceTally tally)
    {
        if (test.UsesConditions)
        {
            tally.Record(test, ConformanceOutcome.SkippedForConditions);
            return [];
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var failures = await ConformanceRunner.RunAsync(await ApiAsync(), test, stageTuplesAsContext, timeout.Token);
        tally.Record(test, failures.Count == 0 ? ConformanceOutcome.Passed : ConformanceOutcome.Failed);
        return failures;
    }

    private async Task RunAsync(ConformanceTest test, bool stageTuplesAsContext, ConformanceTally tally)
    {
        if (test.UsesConditions)
        {
            tally.Record(test, ConformanceOutcome.SkippedForConditions);
            Assert.Ignore("uses conditions (CEL), which this evaluator parses but does not evaluate");
        }

        var failures = await RunAndRecordAsync(test, stageTuplesAsContext, tally);
        Assert.That(failures, Is.Empty, () => $"{test.Name}:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    private static IEnumerable<TestCaseData> Cases(IReadOnlyList<ConformanceTest> tests, string suffix)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var test in tests)
        {
            var occurrence = seen[test.Name] = seen.GetValueOrDefault(test.Name) + 1;
            var name = occurrence == 1 ? test.Name : $"{test.Name}_{occurrence.ToString(CultureInfo.InvariantCulture)}";
            yield return new TestCaseData(test).SetName($"openfga_{name}{suffix}");
        }
    }
}

/// <summary>The suite run directly against the domain evaluator, in memory: the fast feedback loop.</summary>
[TestFixture]
public sealed class DomainConformanceTests : OpenFgaConformanceTests
{
    protected override string Transport => "the domain evaluator (in memory)";

    protected override Task<IAuthorizationApi> ApiAsync() => Task.FromResult<IAuthorizationApi>(new DomainAuthorizationApi());
}

public enum ConformanceOutcome
{
    Passed,
    Failed,
    SkippedForConditions,
}

/// <summary>The outcome of every conformance test of one variant, by its position in the suite.</summary>
public sealed class ConformanceTally(string variant)
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, (string Name, ConformanceOutcome Outcome)> results = [];

    public void Record(ConformanceTest test, ConformanceOutcome outcome)
    {
        var index = ConformanceSuite.IndexOf(test);
        lock (gate)
        {
            results[index] = (test.Name, outcome);
        }
    }

    /// <summary>Whether the test at <paramref name="index"/> has an outcome yet.</summary>
    public bool Has(int index)
    {
        lock (gate)
        {
            return results.ContainsKey(index);
        }
    }

    /// <summary>The positions in the suite of the tests that passed.</summary>
    public IReadOnlyList<int> Passed()
    {
        lock (gate)
        {
            return results.Where(r => r.Value.Outcome == ConformanceOutcome.Passed).Select(r => r.Key).Order().ToList();
        }
    }

    public string Summary()
    {
        lock (gate)
        {
            var failed = results.Values.Where(r => r.Outcome == ConformanceOutcome.Failed).Select(r => r.Name).ToList();
            var passed = results.Values.Count(r => r.Outcome == ConformanceOutcome.Passed);
            var skipped = results.Values.Count(r => r.Outcome == ConformanceOutcome.SkippedForConditions);
            var line = $"  {variant}: {results.Count} cases run, {passed} passed, {failed.Count} failed, {skipped} skipped for conditions";
            return failed.Count == 0 ? line : $"{line}; failed: {string.Join(", ", failed)}";
        }
    }
}
