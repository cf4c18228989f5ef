using System.Globalization;
using Mesh.Gateway.Options;

namespace Mesh.Gateway.Ops;

/// <summary>Prometheus's answer as it came: status, content type and body.</summary>
public sealed record PrometheusAnswer(int Status, string ContentType, string Body);

/// <summary>Prometheus could not be asked: it is unreachable, or it did not answer within <see cref="OpsOptions.Timeout"/>.</summary>
public sealed class PrometheusUnavailableException(string message, bool timedOut, Exception inner) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>
/// The read-only part of the Prometheus HTTP API that the ops page needs: instant and range queries, by GET, with
/// the caller's query string passed on unchanged. Nothing else of the API (admin, labels, series) is reachable.
/// </summary>
public sealed class PrometheusProxy(HttpClient http)
{
    /// <summary>The endpoints under <c>/api/v1/</c> that are passed on.</summary>
    public static readonly IReadOnlyList<string> Endpoints = ["query", "query_range"];

    /// <summary>Answers are read whole before they are passed on; an answer larger than this fails instead.</summary>
    public const long MaxAnswerBytes = 16 * 1024 * 1024;

    /// <summary>Configures the client from <see cref="OpsOptions"/>.</summary>
    public static void Configure(HttpClient client, OpsOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        // A trailing slash keeps a path prefix of the URL (a Prometheus behind a reverse proxy) when api/v1/... is appended.
        client.BaseAddress = new Uri(options.PrometheusUrl.TrimEnd('/') + "/");
        client.Timeout = options.Timeout;
        client.MaxResponseContentBufferSize = MaxAnswerBytes;
    }

    /// <summary>Sends <c>GET /api/v1/&lt;endpoint&gt;&lt;queryString&gt;</c> to Prometheus.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="endpoint"/> is not one of <see cref="Endpoints"/>.</exception>
    /// <exception cref="PrometheusUnavailableException">Prometheus cannot be reached or did not answer in time.</exception>
    public async Task<PrometheusAnswer> GetAsync(string endpoint, string queryString, CancellationToken cancellationToken)
    {
        if (!Endpoints.Contains(endpoint))
        {
            throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, "Only query and query_range are passed on.");
        }
        var timeout = http.Timeout.TotalSeconds;
        try
        {
            using var response = await http.GetAsync(new Uri("api/v1/" + endpoint + queryString, UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return new PrometheusAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "application/json", body);
        }
        catch (HttpRequestException e)
        {
            throw new PrometheusUnavailableException("Prometheus cannot be reached: " + e.Message, timedOut: false, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PrometheusUnavailableException(
                string.Create(CultureInfo.InvariantCulture, $"Prometheus did not answer within {timeout:0.#} s."), timedOut: true, e);
        }
    }
}
