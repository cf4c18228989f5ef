using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>The ops page in Debian's chromium, reading the stack's Prometheus through the gateway.</summary>
public sealed partial class OpsPageTests
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static readonly string[] MeshServices = ["conversation-worker", "gateway", "policy", "tool-executor"];

    [Test]
    public async Task The_ops_page_shows_health_request_rates_tool_latency_and_lag_from_prometheus()
    {
        using var client = ChatStack.Client();
        var session = await Api.CreateSessionAsync(client);
        // The latency quantiles are rates of the histogram: the tool must run again after Prometheus has seen it once.
        await ToolTurns.RunAsync(client, session);
        await ChatStack.Prometheus.WaitForSeriesAsync("mesh_tool_execution_seconds_count{tool=\"math.evaluate\"}", TimeSpan.FromSeconds(30));
        await ToolTurns.RunAsync(client, session);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);
        await page.GotoAsync(new Uri(ChatStack.Gateway.BaseAddress, "/ops").ToString());

        var latency = page.Locator("#tools tr[data-series='math.evaluate'] td.value");
        await Assertions.Expect(latency.First).ToHaveTextAsync(Duration(), new() { Timeout = 60000 });
        foreach (var service in MeshServices)
        {
            await Assertions.Expect(page.Locator($"#health tr[data-series='{service}'] .badge.ok").First).ToHaveTextAsync("up", new() { Timeout = 30000 });
        }
        await Assertions.Expect(page.Locator("#requests tr[data-series='gateway'] td.value")).ToHaveTextAsync(Rate());
        await Assertions.Expect(page.Locator("#lag tbody tr").First).ToBeVisibleAsync(new() { Timeout = 30000 });

        Assert.Multiple(async () =>
        {
            Assert.That(await latency.AllInnerTextsAsync(), Has.Count.EqualTo(3).And.All.Match(Duration().ToString()), "p50, p95 and p99");
            Assert.That(await page.Locator("#health tr[data-series='gateway'] .dependencies .badge").AllInnerTextsAsync(), Does.Contain("kafka").And.Contain("postgres"));
            foreach (var panel in new[] { "health", "requests", "tools", "lag" })
            {
                Assert.That(await page.Locator($"#{panel} svg.chart path.line").CountAsync(), Is.Positive, $"{panel} draws lines");
                Assert.That(await page.Locator($"#{panel} svg.chart circle").CountAsync(), Is.Positive, $"{panel} marks the latest points");
                Assert.That(await page.Locator($"#{panel}").GetAttributeAsync("data-state"), Is.EqualTo("ok"), panel);
            }
            Assert.That(await page.Locator("#error").IsHiddenAsync(), Is.True);
            Assert.That(await page.Locator("#status").GetAttributeAsync("data-state"), Is.EqualTo("open"));
            Assert.That(problems, Is.Empty, "no script errors");
        });
    }

    [Test]
    public async Task When_prometheus_cannot_be_reached_every_panel_shows_the_error()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        // The gateway's own answer when Prometheus is down (see the proxy's unit tests), given to the page here.
        await page.RouteAsync("**/ops/api/v1/**", route => route.FulfillAsync(new()
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"type":"urn:mesh:problem:prometheus-unavailable","title":"A dependency is unavailable","status":503,"detail":"Prometheus cannot be reached: Connection refused"}""",
        }));
        await page.GotoAsync(new Uri(ChatStack.Gateway.BaseAddress, "/ops").ToString());

        await Assertions.Expect(page.Locator("#error")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("503 Prometheus cannot be reached: Connection refused");
        foreach (var panel in new[] { "health", "requests", "tools", "lag" })
        {
            await Assertions.Expect(page.Locator($"#{panel}")).ToHaveAttributeAsync("data-state", "error");
            await Assertions.Expect(page.Locator($"#{panel} .panel-note")).ToContainTextAsync("Prometheus cannot be reached");
        }
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("error");
    }

    [Test]
    public async Task A_tenant_admin_key_is_shown_as_refused()
    {
        var viewer = ChatStack.Stack.AdminKey;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(ChatStack.Gateway.BaseAddress, "/ops").ToString());
        await Assertions.Expect(page.Locator("#status")).ToHaveAttributeAsync("data-state", "open", new() { Timeout = 30000 });

        await page.FillAsync("#key", viewer);
        await page.ClickAsync("#key-form button[type=submit]");

        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("403", new() { Timeout = 15000 });
        await Assertions.Expect(page.Locator("#tools")).ToHaveAttributeAsync("data-state", "error");
    }

    [GeneratedRegex(@"^\d+(\.\d+)? (ms|s)$")]
    private static partial Regex Duration();

    [GeneratedRegex(@"^\d+(\.\d+)? req/s$")]
    private static partial Regex Rate();
}
