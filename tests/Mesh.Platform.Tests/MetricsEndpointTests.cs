using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Platform.Tests;

public sealed class MetricsEndpointTests
{
    [TestCaseSource(typeof(PlatformStack), nameof(PlatformStack.AllServices))]
    public async Task Metrics_of_every_service_pass_promtool_check(string service)
    {
        var http = PlatformStack.Stack.Services[service].Http;
        await http.GetAsync("/healthz");
        var text = await http.GetStringAsync("/metrics");

        var promtool = ProcessRunner.Which("promtool") ?? throw new InvalidOperationException("promtool is not installed (apt-get install prometheus).");
        var result = await ProcessRunner.RunAsync(promtool, ["check", "metrics"], stdin: text);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.StdOut + result.StdErr);
            Assert.That(result.StdOut + result.StdErr, Is.Empty, "promtool lint output");
            Assert.That(text, Does.Contain("mesh_process_resident_memory_bytes"));
            Assert.That(text, Does.Contain("mesh_http_server_request_duration_seconds_bucket"));
        });
    }
}
