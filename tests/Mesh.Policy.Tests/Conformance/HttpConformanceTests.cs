using System.Text.Json;
using Mesh.Policy.Tests.Integration;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>
/// The suite through the HTTP API of a real policy process (the run that counts), then again through OpenFGA's
/// official JavaScript SDK (<c>tests/policy-js-sdk</c>), which must pass exactly the same tests.
/// </summary>
[TestFixture]
public sealed class HttpConformanceTests : OpenFgaConformanceTests
{
    private TestTenant? tenant;

    protected override string Transport => "the policy service's HTTP API";

    [Test]
    [Order(2)]
    public async Task Official_javascript_sdk_passes_the_same_conformance_tests_as_the_http_run()
    {
        var node = ProcessRunner.Which("node") ?? throw new AssertionException("node is not installed");
        var project = RepoPaths.Combine("tests", "policy-js-sdk");
        Assert.That(Directory.Exists(Path.Combine(project, "node_modules", "@openfga", "sdk")), Is.True,
            "the JavaScript SDK is not installed: run 'npm ci --prefix tests/policy-js-sdk'");

        // Any test the C# run has not covered yet (a filtered run) is run now, so both sides answer for the whole suite.
        foreach (var test in ConformanceSuite.All.Where(t => !Stored.Has(ConformanceSuite.IndexOf(t))))
        {
            await RunAndRecordAsync(test, stageTuplesAsContext: false, Stored);
        }

        var key = (await TenantAsync()).Key;
        var stack = await PolicyStack.GetAsync();
        var result = await ProcessRunner.RunAsync(
            node,
            [Path.Combine(project, "run-conformance.js"), ConformanceSuite.Locate()],
            timeout: TimeSpan.FromMinutes(3),
            environment: new Dictionary<string, string>
            {
                ["FGA_API_URL"] = stack.Services["policy"].BaseAddress.ToString().TrimEnd('/'),
                ["FGA_API_TOKEN"] = key,
            });
        Assert.That(result.ExitCode, Is.Zero, () => $"node failed: {result.StdErr}");
        using var summary = JsonDocument.Parse(result.StdOut);
        var root = summary.RootElement;
        var javascriptPassed = root.GetProperty("passed_indices").EnumerateArray().Select(e => e.GetInt32()).ToList();
        TestContext.Progress.WriteLine(
            $"OpenFGA conformance through {root.GetProperty("sdk").GetString()}: {root.GetProperty("tests_passed").GetInt32()}/{root.GetProperty("tests_run").GetInt32()} tests, "
            + $"{root.GetProperty("assertions_passed").GetInt32()}/{root.GetProperty("assertions_total").GetInt32()} assertions passed");
        Assert.Multiple(() =>
        {
            Assert.That(javascriptPassed, Is.EqualTo(Stored.Passed()), () => $"JavaScript SDK failures: {root.GetProperty("failures")}");
            Assert.That(root.GetProperty("tests_run").GetInt32(), Is.EqualTo(ConformanceSuite.All.Count(t => !t.UsesConditions)));
        });
    }

    protected override async Task<IAuthorizationApi> ApiAsync() =>
        new HttpAuthorizationApi(await PolicyStack.OpenFgaAsync((await TenantAsync()).Key));

    private async Task<TestTenant> TenantAsync() => tenant ??= await PolicyStack.NewTenantAsync("conf");
}
