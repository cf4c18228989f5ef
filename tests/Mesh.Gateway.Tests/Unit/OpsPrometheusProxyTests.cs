using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Mesh.Gateway.Ops;
using Mesh.Gateway.Options;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Gateway.Tests.Unit;

/// <summary>The pass-through to Prometheus against a plain TCP listener in the test, so that every failure can be made to happen.</summary>
public sealed class OpsPrometheusProxyTests
{
    [Test]
    public async Task The_query_string_and_a_path_prefix_reach_prometheus_unchanged_and_its_answer_comes_back_as_it_was()
    {
        using var listener = Listen();
        const string Answer = """{"status":"error","errorType":"bad_data","error":"parse error"}""";
        var served = ServeOnceAsync(listener, $"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {Answer.Length}\r\nConnection: close\r\n\r\n{Answer}");
        using var http = Client($"http://127.0.0.1:{Port(listener)}/prometheus/", TimeSpan.FromSeconds(10));

        var answer = await new PrometheusProxy(http).GetAsync("query_range", "?query=rate(up%7Bjob%3D%22a%22%7D%5B1m%5D)&start=1&end=2&step=1", CancellationToken.None);
        var requestLine = await served;

        Assert.Multiple(() =>
        {
            Assert.That(requestLine, Is.EqualTo("GET /prometheus/api/v1/query_range?query=rate(up%7Bjob%3D%22a%22%7D%5B1m%5D)&start=1&end=2&step=1 HTTP/1.1"));
            Assert.That(answer.Status, Is.EqualTo(400));
            Assert.That(answer.ContentType, Is.EqualTo("application/json"));
            Assert.That(answer.Body, Is.EqualTo(Answer));
        });
    }

    [Test]
    public void A_prometheus_that_is_not_listening_is_reported_unavailable_not_timed_out()
    {
        using var http = Client($"http://127.0.0.1:{Ports.Free()}", TimeSpan.FromSeconds(10));

        var failure = Assert.ThrowsAsync<PrometheusUnavailableException>(() => new PrometheusProxy(http).GetAsync("query", "?query=up", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.TimedOut, Is.False);
            Assert.That(failure.Message, Does.StartWith("Prometheus cannot be reached"));
        });
    }

    [Test]
    public void A_prometheus_that_does_not_answer_in_time_is_reported_timed_out_after_the_configured_timeout()
    {
        using var listener = Listen();
        using var http = Client($"http://127.0.0.1:{Port(listener)}", TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        var failure = Assert.ThrowsAsync<PrometheusUnavailableException>(() => new PrometheusProxy(http).GetAsync("query", "?query=up", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.TimedOut, Is.True);
            Assert.That(failure.Message, Is.EqualTo("Prometheus did not answer within 1 s."));
            Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9)).And.LessThan(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public void Other_endpoints_of_the_prometheus_api_are_refused_before_anything_is_sent()
    {
        using var http = Client($"http://127.0.0.1:{Ports.Free()}", TimeSpan.FromSeconds(10));

        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => new PrometheusProxy(http).GetAsync("admin/tsdb/delete_series", "", CancellationToken.None));
    }

    [TestCase("http://127.0.0.1:9090", 10, null)]
    [TestCase("https://prometheus.internal/prefix/", 30, null)]
    [TestCase("localhost:9090", 10, "Ops:PrometheusUrl must be an absolute http or https URL")]
    [TestCase("ftp://127.0.0.1:9090", 10, "Ops:PrometheusUrl must be an absolute http or https URL")]
    [TestCase("http://127.0.0.1:9090/?x=1", 10, "Ops:PrometheusUrl must not have a query or fragment")]
    [TestCase("http://127.0.0.1:9090", 0, "Ops:Timeout must be between one second and two minutes")]
    public void Ops_options_are_checked_at_start(string url, int timeoutSeconds, string? problem)
    {
        var options = new OpsOptions { PrometheusUrl = url, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };

        Assert.That(options.Validate(), Is.EqualTo(problem));
    }

    [Test]
    public void The_defaults_point_at_the_prometheus_that_make_run_starts()
    {
        var options = new OpsOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.PrometheusUrl, Is.EqualTo("http://127.0.0.1:9090"));
            Assert.That(options.Validate(), Is.Null);
        });
    }

    private static HttpClient Client(string url, TimeSpan timeout)
    {
        var http = new HttpClient();
        PrometheusProxy.Configure(http, new OpsOptions { PrometheusUrl = url, Timeout = timeout });
        return http;
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Accepts one connection, reads the request head, answers <paramref name="response"/>; returns the request line.</summary>
    private static async Task<string> ServeOnceAsync(TcpListener listener, string response)
    {
        using var connection = await listener.AcceptTcpClientAsync();
        var stream = connection.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        return head.ToString().Split("\r\n")[0];
    }
}
