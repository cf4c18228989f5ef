using Microsoft.Playwright;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>The web chat page in Debian's chromium, driven by Playwright against the real stack.</summary>
public sealed class BrowserTests
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    [Test]
    public async Task The_page_prefills_the_dev_key_creates_a_session_and_streams_an_answer_with_a_tool_card()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);

        await page.GotoAsync(ChatStack.Gateway.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#key")).ToHaveValueAsync(ChatStack.Stack.AdminKey);
        await Assertions.Expect(page.Locator("#new-session")).ToBeEnabledAsync();
        await page.ClickAsync("#new-session");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected", new() { Timeout = 15000 });
        await page.FillAsync("#message", "what is 2+3*4?");
        await page.PressAsync("#message", "Enter");

        var answer = page.Locator("li.assistant[data-final=true] .answer");
        await Assertions.Expect(answer).ToContainTextAsync("14", new() { Timeout = 60000 });
        var card = page.Locator("li.assistant details.tool summary");
        await Assertions.Expect(card).ToContainTextAsync("math.evaluate");
        var user = page.Locator("li.user");

        Assert.Multiple(async () =>
        {
            Assert.That(await user.InnerTextAsync(), Is.EqualTo("what is 2+3*4?"));
            Assert.That(await user.GetAttributeAsync("class"), Does.Not.Contain("pending"));
            Assert.That(await page.Locator("li.assistant details.tool").GetAttributeAsync("data-status"), Is.EqualTo("succeeded"));
            Assert.That(problems, Is.Empty, "no script errors");
        });
    }

    [Test]
    public async Task Text_from_the_conversation_is_shown_as_text_never_as_markup()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync();
        const string Markup = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>";

        await page.GotoAsync(ChatStack.Gateway.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#new-session")).ToBeEnabledAsync();
        await page.ClickAsync("#new-session");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected", new() { Timeout = 15000 });
        await page.FillAsync("#message", Markup);
        await page.PressAsync("#message", "Enter");
        await Assertions.Expect(page.Locator("li.user:not(.pending)")).ToHaveCountAsync(1, new() { Timeout = 30000 });

        Assert.Multiple(async () =>
        {
            Assert.That(await page.Locator("li.user").InnerTextAsync(), Is.EqualTo(Markup));
            Assert.That(await page.Locator("#messages img, #messages b").CountAsync(), Is.Zero);
            Assert.That(await page.TitleAsync(), Is.EqualTo("Mesh chat"));
        });
    }

    [Test]
    public async Task After_a_network_loss_the_page_reconnects_and_shows_what_it_missed()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(ChatStack.Gateway.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#new-session")).ToBeEnabledAsync();
        await page.ClickAsync("#new-session");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected", new() { Timeout = 15000 });
        var session = Guid.Parse((await page.Locator("#sessions button[aria-current=true]").GetAttributeAsync("data-session-id"))!);

        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("reconnecting", new() { Timeout = 15000 });
        using var client = ChatStack.Client();
        var (status, _) = await Api.SendJsonAsync(client, HttpMethod.Post, $"/v1/sessions/{session}/messages", new { message = "hello" });
        await Mesh.Testing.Poll.UntilAsync(async () =>
        {
            var (_, history) = await Api.SendJsonAsync(client, HttpMethod.Get, $"/v1/sessions/{session}/events?after=0");
            return history.GetProperty("events").EnumerateArray().Any(e => e.Type() == "assistant.final");
        }, TimeSpan.FromSeconds(60), "the answer given while the page was offline");
        await context.SetOfflineAsync(false);

        await Assertions.Expect(page.Locator("li.assistant[data-final=true] .answer")).ToContainTextAsync("Hello!", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("connected");
        Assert.Multiple(async () =>
        {
            Assert.That(status, Is.EqualTo(202));
            Assert.That(await page.Locator("li.user").InnerTextAsync(), Is.EqualTo("hello"));
        });
    }
}
