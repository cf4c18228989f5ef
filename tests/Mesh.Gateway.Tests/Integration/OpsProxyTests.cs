using System.Net;
using System.Text.Json;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>The gateway's read-only pass-through to Prometheus's query API, for the ops page.</summary>
public sealed class OpsProxyTests
{
    private const string Instant = "/api/v1/query?query=vector(1)&time=1700000000";

    [Test]
    public async Task Without_a_key_the_proxy_answers_401()
    {
        using var response = await ChatStack.Gateway.Http.GetAsync("/ops" + Instant);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_tenant_key_gets_403_even_an_admin_one_since_the_metrics_span_every_tenant()
    {
        using var viewer = ChatStack.Client(await ChatStack.IssueKeyAsync("ops-tenant", "viewer"));
        using var admin = ChatStack.Client();
        using var byViewer = await viewer.GetAsync("/ops" + Instant);
        using var byAdmin = await admin.GetAsync("/ops" + Instant);

        Assert.Multiple(() =>
        {
            Assert.That(byViewer.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(byAdmin.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task An_operator_gets_exactly_what_prometheus_answers_for_the_same_query_string()
    {
        using var client = ChatStack.Client(ChatStack.Stack.ServiceKey);
        foreach (var query in new[] { Instant, "/api/v1/query?query=sum(", "/api/v1/query_range?query=vector(2)&start=1700000000&end=1700000060&step=15" })
        {
            using var proxied = await client.GetAsync("/ops" + query);
            using var direct = await ChatStack.Prometheus.Http.GetAsync(query);

            Assert.Multiple(async () =>
            {
                Assert.That(proxied.StatusCode, Is.EqualTo(direct.StatusCode), query);
                Assert.That(await proxied.Content.ReadAsStringAsync(), Is.EqualTo(await direct.Content.ReadAsStringAsync()), query);
                Assert.That(proxied.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), query);
            });
        }
    }

    [Test]
    public async Task A_range_query_through_the_proxy_returns_the_scraped_services()
    {
        await ChatStack.Prometheus.WaitForSeriesAsync("up{job=\"gateway\"} == 1", TimeSpan.FromSeconds(30));
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var client = ChatStack.Client(ChatStack.Stack.ServiceKey);

        using var response = await client.GetAsync($"/ops/api/v1/query_range?query=up&start={end - 60}&end={end}&step=5");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var jobs = body.GetProperty("data").GetProperty("result").EnumerateArray().Select(s => s.GetProperty("metric").GetProperty("job").GetString()).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("data").GetProperty("resultType").GetString(), Is.EqualTo("matrix"));
            Assert.That(jobs, Is.SupersetOf(new[] { "gateway", "conversation-worker", "tool-executor", "policy" }));
        });
    }

    [TestCase("GET", "/ops/api/v1/labels")]
    [TestCase("GET", "/ops/api/v1/series?match[]=up")]
    [TestCase("GET", "/ops/api/v1/status/config")]
    [TestCase("POST", "/ops/api/v1/admin/tsdb/snapshot")]
    [TestCase("GET", "/ops/-/ready")]
    public async Task Nothing_but_the_two_query_endpoints_is_passed_on(string method, string path)
    {
        using var client = ChatStack.Client(ChatStack.Stack.ServiceKey);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_query_by_post_is_not_passed_on()
    {
        using var client = ChatStack.Client(ChatStack.Stack.ServiceKey);
        using var response = await client.PostAsync("/ops/api/v1/query", new FormUrlEncodedContent([new("query", "up")]));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [Test]
    public async Task The_ops_page_is_served_without_a_key_under_the_page_policy()
    {
        using var response = await ChatStack.Gateway.Http.GetAsync("/ops");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.Contain("<script src=\"ops.js\"></script>"));
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'"));
        });
    }
}
