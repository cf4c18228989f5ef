using System.Text.Json;
using Mesh.ToolExecutor.Options;
using Mesh.ToolExecutor.Tools;
using Mesh.ToolExecutor.Tools.BuiltIn;
using Microsoft.Extensions.Options;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class BuiltInToolTests
{
    private static ToolCall Call(string arguments) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "dev", "dev-user", null, JsonDocument.Parse(arguments).RootElement.Clone());

    private static ToolRegistry Registry(Dictionary<string, ToolOverride>? overrides = null)
    {
        var options = new ToolOverrides();
        foreach (var (name, value) in overrides ?? [])
        {
            options.Overrides[name] = value;
        }
        return new ToolRegistry(Microsoft.Extensions.Options.Options.Create(options));
    }

    [Test]
    public async Task Clock_reports_the_time_in_an_iana_zone_with_its_daylight_saving_offset()
    {
        var tool = new ClockNowTool(new ManualClock(new DateTimeOffset(2026, 7, 1, 10, 0, 0, TimeSpan.Zero)));
        var output = await tool.InvokeAsync(Call("""{"time_zone":"Europe/Zurich"}"""), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(output.GetProperty("utc").GetString(), Is.EqualTo("2026-07-01T10:00:00.000Z"));
            Assert.That(output.GetProperty("local").GetString(), Is.EqualTo("2026-07-01T12:00:00.000+02:00"));
            Assert.That(output.GetProperty("is_daylight_saving_time").GetBoolean(), Is.True);
            Assert.That(output.GetProperty("time_zone").GetString(), Is.EqualTo("Europe/Zurich"));
        });
    }

    [TestCase("Mars/Olympus_Mons")]
    [TestCase("W. Europe Standard Time")]
    public void Clock_refuses_what_is_not_an_iana_zone(string zone) =>
        Assert.That(() => ClockNowTool.Resolve(zone), Throws.TypeOf<ToolArgumentException>().With.Message.Contains("IANA"));

    [Test]
    public async Task Math_tool_answers_the_exact_value()
    {
        var output = await new MathEvaluateTool().InvokeAsync(Call("""{"expression":"0.1 + 0.2"}"""), CancellationToken.None);
        Assert.That(output.GetProperty("result").GetRawText(), Is.EqualTo("0.3"));
    }

    [Test]
    public void Math_tool_reports_evaluation_errors_as_invalid_arguments() =>
        Assert.That(async () => await new MathEvaluateTool().InvokeAsync(Call("""{"expression":"1/0"}"""), CancellationToken.None),
            Throws.TypeOf<ToolArgumentException>().With.Message.EqualTo("division by zero (at position 1)"));

    [Test]
    public async Task Registry_validates_arguments_against_the_input_schema_with_the_validators_words()
    {
        var registry = Registry();
        var echo = await registry.RegisterAsync(new EchoTool(TimeProvider.System));
        Assert.Multiple(() =>
        {
            Assert.That(echo.Validate(JsonDocument.Parse("""{"text":"hi"}""").RootElement), Is.Null);
            Assert.That(echo.Validate(JsonDocument.Parse("""{"text":5}""").RootElement), Is.EqualTo("$.text: string expected"));
            Assert.That(echo.Validate(JsonDocument.Parse("""{}""").RootElement), Does.Contain("property required"));
            Assert.That(echo.Validate(JsonDocument.Parse("""{"text":"a","other":1}""").RootElement), Does.Contain("no additional properties allowed"));
        });
    }

    [Test]
    public async Task Registry_applies_configured_overrides()
    {
        var registry = Registry(new() { ["echo"] = new ToolOverride { TimeoutMs = 1500, MaxConcurrency = 2, CacheTtlSeconds = 0, Cost = 0.5m } });
        var echo = await registry.RegisterAsync(new EchoTool(TimeProvider.System));
        Assert.Multiple(() =>
        {
            Assert.That(echo.Descriptor.Timeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
            Assert.That(echo.Descriptor.MaxConcurrency, Is.EqualTo(2));
            Assert.That(echo.Descriptor.IsCacheable, Is.False);
            Assert.That(echo.Descriptor.Cost, Is.EqualTo(0.5m));
        });
    }

    [Test]
    public void Http_fetch_refuses_hosts_outside_the_allowlist_before_connecting()
    {
        var options = new HttpFetchOptions();
        options.AllowedHosts.Add("example.com");
        using var tool = new HttpFetchTool(Microsoft.Extensions.Options.Options.Create(options));
        var error = Assert.ThrowsAsync<ToolException>(async () => await tool.InvokeAsync(Call("""{"url":"http://example.org/"}"""), CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Code, Is.EqualTo("host_not_allowed"));
            Assert.That(error.IsFault, Is.False);
        });
    }
}
