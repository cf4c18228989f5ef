using System.Net;
using System.Text.Json;
using NUnit.Framework;

namespace Mesh.Platform.Tests;

public sealed class ReadinessTests
{
    [Test]
    public async Task Readiness_turns_503_naming_redis_when_redis_stops_and_recovers_without_restart()
    {
        var stack = PlatformStack.Stack;
        var services = stack.Services.Values.ToList();
        var processIds = services.Select(s => s.ProcessId).ToList();

        await stack.Redis.StopAsync();
        try
        {
            var bodies = await Task.WhenAll(services.Select(s => s.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30))));
            foreach (var body in bodies)
            {
                using var json = JsonDocument.Parse(body);
                var failing = json.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()).ToList();
                Assert.That(failing, Does.Contain("redis"), body);
            }
        }
        finally
        {
            await stack.Redis.StartAgainAsync();
        }

        await Task.WhenAll(services.Select(s => s.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30))));
        Assert.That(services.Select(s => s.ProcessId), Is.EqualTo(processIds), "no service was restarted");
    }

    [Test]
    public async Task Healthz_is_open_and_readyz_lists_every_dependency()
    {
        var executor = PlatformStack.Stack.Services["tool-executor"];
        using var health = await executor.Http.GetAsync("/healthz");
        var body = await executor.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(checks, Is.EquivalentTo(new[] { "postgres", "redis", "kafka", "policy" }));
        });
    }
}
