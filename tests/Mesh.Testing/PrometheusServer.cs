using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mesh.Testing;

/// <summary>
/// A real <c>prometheus</c> on a free loopback port that scrapes the given targets every second with the
/// project's own recording and alerting rules (<c>observability/rules</c>), storing into a temporary folder.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly string folder;
    private readonly StringBuilder log = new();

    private PrometheusServer(int port, Process process, string folder)
    {
        Port = port;
        this.process = process;
        this.folder = folder;
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its base address (the HTTP API is under <c>/api/v1</c>).</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>A client for its HTTP API.</summary>
    public HttpClient Http { get; }

    /// <summary>What it has written to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Prometheus with one scrape job per entry of <paramref name="jobs"/> (job name → base address whose
    /// <c>/metrics</c> is scraped, labelled <c>service=&lt;job&gt;</c> as in <c>observability/prometheus.yml</c>)
    /// and waits until it is ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, Uri> jobs)
    {
        var binary = ProcessRunner.Which("prometheus") ?? throw new InvalidOperationException("prometheus is not installed (apt-get install prometheus).");
        var folder = Path.Combine(Path.GetTempPath(), "mesh-prometheus-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, Configuration(jobs));

        var port = Ports.Free();
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
                 {
                     "--config.file=" + config,
                     "--storage.tsdb.path=" + Path.Combine(folder, "data"),
                     "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                 })
        {
            info.ArgumentList.Add(arg);
        }
        var server = new PrometheusServer(port, Process.Start(info)!, folder);
        server.process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(async () =>
            {
                if (server.process.HasExited)
                {
                    throw new InvalidOperationException("prometheus exited:\n" + server.Log);
                }
                using var response = await server.Http.GetAsync("/-/ready");
                return response.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(30), "prometheus /-/ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Runs an instant query and returns its <c>data.result</c> array; throws with Prometheus's error when the query fails.</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Query {promql} failed: {body}");
        }
        return root.GetProperty("data").GetProperty("result").Clone();
    }

    /// <summary>Waits until <paramref name="promql"/> returns at least one series.</summary>
    public Task WaitForSeriesAsync(string promql, TimeSpan timeout) =>
        Poll.UntilAsync(async () => (await QueryAsync(promql)).GetArrayLength() > 0, timeout, "series for " + promql, TimeSpan.FromMilliseconds(500));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    private static string Configuration(IReadOnlyDictionary<string, Uri> jobs)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("global:");
        yaml.AppendLine("  scrape_interval: 1s");
        yaml.AppendLine("  evaluation_interval: 1s");
        yaml.AppendLine("scrape_configs:");
        foreach (var (job, address) in jobs)
        {
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  - job_name: {job}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    static_configs: [{{ targets: [\"{address.Authority}\"], labels: {{ service: {job} }} }}]");
        }
        yaml.AppendLine("rule_files:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {RepoPaths.Combine("observability", "rules", "recording.yml")}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  - {RepoPaths.Combine("observability", "rules", "alerts.yml")}");
        return yaml.ToString();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
