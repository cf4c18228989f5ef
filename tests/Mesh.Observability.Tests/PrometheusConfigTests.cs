using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Observability.Tests;

/// <summary>The Prometheus configuration, recording rules and alerts, checked by the real promtool.</summary>
public sealed class PrometheusConfigTests
{
    private static string Observability => RepoPaths.Combine("observability");

    [Test]
    public async Task Prometheus_config_passes_promtool_check_config()
    {
        var result = await PromtoolAsync(Observability, "check", "config", "prometheus.yml");

        Assert.That(result.ExitCode, Is.Zero, result.StdOut + result.StdErr);
    }

    [Test]
    public async Task Rules_pass_promtool_check_rules()
    {
        var result = await PromtoolAsync(Observability, "check", "rules", "rules/recording.yml", "rules/alerts.yml");

        Assert.That(result.ExitCode, Is.Zero, result.StdOut + result.StdErr);
    }

    [Test]
    public async Task Every_alert_fires_and_stays_quiet_in_promtool_rule_tests()
    {
        var tests = Directory.GetFiles(Path.Combine(Observability, "rules", "tests"), "*_test.yml").Select(Path.GetFileName).ToArray();
        var alerts = File.ReadAllLines(Path.Combine(Observability, "rules", "alerts.yml"))
            .Where(l => l.TrimStart().StartsWith("- alert:", StringComparison.Ordinal))
            .Select(l => l.Split(':', 2)[1].Trim())
            .ToList();
        var testText = string.Join('\n', tests.Select(t => File.ReadAllText(Path.Combine(Observability, "rules", "tests", t!))));

        var result = await PromtoolAsync(Path.Combine(Observability, "rules", "tests"), ["test", "rules", .. tests!]);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.StdOut + result.StdErr);
            Assert.That(alerts, Is.Not.Empty);
            foreach (var alert in alerts)
            {
                Assert.That(testText, Does.Contain("alertname: " + alert), alert + " has a rule test");
            }
        });
    }

    private static Task<ProcessRunner.Result> PromtoolAsync(string workingDirectory, params string[] arguments)
    {
        var promtool = ProcessRunner.Which("promtool") ?? throw new InvalidOperationException("promtool is not installed (apt-get install prometheus).");
        return ProcessRunner.RunAsync("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", workingDirectory, promtool, .. arguments]);
    }
}
