using System.Text.Json;
using Mesh.Contracts.Tools;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

[TestFixture, Order(2)]
public sealed class BuiltInToolsTests
{
    private ExecutorStack stack = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => stack = await ExecutorStack.GetAsync();

    private Task<ReceivedResult> FetchAsync(string url, object? extra = null) =>
        stack.SendAsync(ToolRequests.Create("http.fetch", extra is null ? new { url } : Merge(url, extra), cacheStrategy: CacheStrategy.Never));

    private static JsonElement Merge(string url, object extra)
    {
        var fields = JsonSerializer.SerializeToElement(extra).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
        fields["url"] = url;
        return JsonSerializer.SerializeToElement(fields);
    }

    [Test]
    public async Task Http_fetch_gets_a_page_from_an_explicitly_allowlisted_local_server_and_follows_a_local_redirect()
    {
        var page = await FetchAsync(stack.FetchTarget.Url("/hello").AbsoluteUri);
        var redirected = await FetchAsync(stack.FetchTarget.Url("/redirect-local").AbsoluteUri);
        var json = await FetchAsync(stack.FetchTarget.Url("/json").AbsoluteUri);
        Assert.Multiple(() =>
        {
            Assert.That(page.Status, Is.EqualTo("succeeded"), page.Json);
            Assert.That(page.Output.GetProperty("status").GetInt32(), Is.EqualTo(200));
            Assert.That(page.Output.GetProperty("body").GetString(), Is.EqualTo(FetchTargetServer.Greeting));
            Assert.That(redirected.Output.GetProperty("body").GetString(), Is.EqualTo(FetchTargetServer.Greeting));
            Assert.That(redirected.Output.GetProperty("redirects").GetInt32(), Is.EqualTo(1));
            Assert.That(json.Output.GetProperty("content_type").GetString(), Does.StartWith("application/json"));
            Assert.That(json.Output.GetProperty("body").GetString(), Does.Contain("\"ok\":true"));
        });
    }

    [Test]
    public async Task Http_fetch_refuses_hosts_outside_the_allowlist_and_redirects_to_them()
    {
        var direct = await FetchAsync("http://example.com/");
        var viaRedirect = await FetchAsync(stack.FetchTarget.Url("/redirect-elsewhere").AbsoluteUri);
        Assert.Multiple(() =>
        {
            Assert.That(direct.Status, Is.EqualTo("failed"));
            Assert.That(direct.ErrorCode, Is.EqualTo("host_not_allowed"));
            Assert.That(viaRedirect.ErrorCode, Is.EqualTo("host_not_allowed"));
            Assert.That(viaRedirect.ErrorMessage, Does.StartWith("redirect refused"));
        });
    }

    [Test]
    public async Task Http_fetch_never_reaches_the_metadata_address_even_when_it_is_allowlisted()
    {
        var direct = await FetchAsync("http://169.254.169.254/latest/meta-data/");
        var viaRedirect = await FetchAsync(stack.FetchTarget.Url("/redirect-metadata").AbsoluteUri);
        Assert.Multiple(() =>
        {
            Assert.That(direct.Status, Is.EqualTo("failed"));
            Assert.That(direct.ErrorCode, Is.EqualTo("address_refused"));
            Assert.That(direct.ErrorMessage, Does.Contain("metadata"));
            Assert.That(viaRedirect.ErrorCode, Is.EqualTo("address_refused"));
        });
    }

    [Test]
    public async Task Http_fetch_reads_at_most_max_bytes_and_says_so()
    {
        var result = await FetchAsync(stack.FetchTarget.Url("/big").AbsoluteUri, new { max_bytes = 1000 });
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("succeeded"));
            Assert.That(result.Output.GetProperty("bytes").GetInt32(), Is.EqualTo(1000));
            Assert.That(result.Output.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(result.Output.GetProperty("body").GetString(), Has.Length.EqualTo(1000));
        });
    }

    [Test]
    public async Task Memories_are_searchable_at_once_tolerate_typos_stay_with_their_persona_and_can_be_forgotten()
    {
        var persona = "p" + Guid.NewGuid().ToString("N")[..10];
        var other = "q" + Guid.NewGuid().ToString("N")[..10];
        var saved = await stack.SendAsync(ToolRequests.Create("memory.save", new { content = "The staging database is PostgreSQL 15 on port 5433", tags = new[] { "infra" } }, persona: persona));
        await stack.SendAsync(ToolRequests.Create("memory.save", new { content = "Lunch is at noon on Fridays" }, persona: persona));
        await stack.SendAsync(ToolRequests.Create("memory.save", new { content = "The staging database of the other persona" }, persona: other));

        var search = await stack.SendAsync(ToolRequests.Create("memory.search", new { query = "staging databases" }, persona: persona));
        var typo = await stack.SendAsync(ToolRequests.Create("memory.search", new { query = "PostgreSLQ" }, persona: persona));
        var forget = await stack.SendAsync(ToolRequests.Create("memory.forget", new { query = "staging database" }, persona: persona));
        var after = await stack.SendAsync(ToolRequests.Create("memory.search", new { query = "staging database" }, persona: persona));
        var otherStill = await stack.SendAsync(ToolRequests.Create("memory.search", new { query = "staging database" }, persona: other));

        var hits = search.Output.GetProperty("results").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(saved.Output.GetProperty("memory_id").GetString(), Is.Not.Empty);
            Assert.That(hits, Has.Count.EqualTo(1), search.Json);
            Assert.That(hits[0].GetProperty("content").GetString(), Does.Contain("PostgreSQL 15"));
            Assert.That(hits[0].GetProperty("tags")[0].GetString(), Is.EqualTo("infra"));
            Assert.That(typo.Output.GetProperty("results").EnumerateArray().Select(h => h.GetProperty("content").GetString()), Has.Some.Contains("PostgreSQL"), typo.Json);
            Assert.That(forget.Output.GetProperty("deleted").GetInt32(), Is.EqualTo(1));
            Assert.That(after.Output.GetProperty("results").GetArrayLength(), Is.Zero);
            Assert.That(otherStill.Output.GetProperty("results").GetArrayLength(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Kv_set_stores_a_value_with_a_ttl_that_kv_get_reads_back()
    {
        var key = "notes/" + Guid.NewGuid().ToString("N");
        var set = await stack.SendAsync(ToolRequests.Create("kv.set", new { key, value = new { answer = 42, list = new[] { "a", "b" } }, ttl_seconds = 120 }));
        var get = await stack.SendAsync(ToolRequests.Create("kv.get", new { key }));
        var missing = await stack.SendAsync(ToolRequests.Create("kv.get", new { key = key + "-missing" }));
        var ttl = await stack.Redis.Database.KeyTimeToLiveAsync($"tool-kv:dev:{key}");
        Assert.Multiple(() =>
        {
            Assert.That(set.Status, Is.EqualTo("succeeded"));
            Assert.That(get.Output.GetProperty("found").GetBoolean(), Is.True);
            Assert.That(get.Output.GetProperty("value").GetProperty("answer").GetInt32(), Is.EqualTo(42));
            Assert.That(get.Output.GetProperty("ttl_seconds").GetInt64(), Is.InRange(1, 120));
            Assert.That(missing.Output.GetProperty("found").GetBoolean(), Is.False);
            Assert.That(ttl, Is.Not.Null.And.LessThanOrEqualTo(TimeSpan.FromSeconds(120)));
        });
    }

    [Test]
    public async Task Clock_answers_in_an_iana_zone_and_refuses_unknown_zones()
    {
        var zurich = await stack.SendAsync(ToolRequests.Create("clock.now", new { time_zone = "Europe/Zurich" }));
        var bad = await stack.SendAsync(ToolRequests.Create("clock.now", new { time_zone = "Atlantis/Capital" }));
        Assert.Multiple(() =>
        {
            Assert.That(zurich.Status, Is.EqualTo("succeeded"));
            Assert.That(zurich.Output.GetProperty("utc_offset").GetString(), Is.AnyOf("+01:00", "+02:00"));
            Assert.That(DateTimeOffset.Parse(zurich.Output.GetProperty("utc").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(bad.Status, Is.EqualTo("invalid_arguments"));
            Assert.That(bad.ErrorMessage, Does.Contain("IANA"));
        });
    }

    [Test]
    public async Task Math_evaluate_answers_exactly_and_explains_what_it_cannot_evaluate()
    {
        var exact = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression = "(0.1 + 0.2) * 10 ^ 2 - max(1, 2)" }, cacheStrategy: CacheStrategy.Never));
        var division = await stack.SendAsync(ToolRequests.Create("math.evaluate", new { expression = "4 / (2 - 2)" }, cacheStrategy: CacheStrategy.Never));
        Assert.Multiple(() =>
        {
            Assert.That(exact.Output.GetProperty("result").GetRawText(), Is.EqualTo("28"));
            Assert.That(division.Status, Is.EqualTo("invalid_arguments"));
            Assert.That(division.ErrorMessage, Is.EqualTo("division by zero (at position 2)"));
        });
    }
}
