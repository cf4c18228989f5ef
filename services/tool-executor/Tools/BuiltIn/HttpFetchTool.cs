using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Options;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary>
/// <c>http.fetch</c>: GET of a URL on an allowlisted host. Redirects are followed by hand, each only to an
/// allowlisted host. Every connection resolves the name itself and connects only to an address the
/// <see cref="AddressRules"/> accept (checked at connect time, so a name cannot change its answer in between);
/// no proxy is used, since a proxy would connect on our behalf without those checks. The body is read up to a
/// byte limit and the whole fetch stays within the tool's timeout.
/// </summary>
public sealed class HttpFetchTool : ITool, IDisposable
{
    private static readonly HashSet<HttpStatusCode> Redirects =
        [HttpStatusCode.MovedPermanently, HttpStatusCode.Found, HttpStatusCode.SeeOther, HttpStatusCode.TemporaryRedirect, HttpStatusCode.PermanentRedirect];

    private readonly HttpFetchOptions options;
    private readonly HostAllowlist allowlist;
    private readonly HttpClient client;

    public HttpFetchTool(IOptions<HttpFetchOptions> options)
    {
        this.options = options.Value;
        allowlist = new HostAllowlist(this.options.AllowedHosts);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectAsync,
        };
        client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("mesh-tool-executor/1.0");
        Descriptor = BuiltIn.Describe(
            "http.fetch",
            "GET a web page or API on an allowlisted host; returns status, content type and body (text, or base64 for binary), "
            + $"at most {this.options.MaxBytes} bytes of body.",
            $$"""
            {
              "$schema": "http://json-schema.org/draft-07/schema#",
              "type": "object",
              "additionalProperties": false,
              "required": ["url"],
              "properties": {
                "url": { "type": "string", "minLength": 8, "maxLength": 2048, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://" },
                "max_bytes": { "type": "integer", "minimum": 1, "maximum": {{this.options.MaxBytes}} }
              }
            }
            """,
            timeout: TimeSpan.FromSeconds(10),
            idempotent: true,
            maxConcurrency: 16,
            cacheTtl: TimeSpan.FromMinutes(1));
    }

    public ToolDescriptor Descriptor { get; }

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var maxBytes = call.Arguments.TryGetProperty("max_bytes", out var m) ? m.GetInt32() : options.MaxBytes;
        if (!Uri.TryCreate(call.Arguments.GetProperty("url").GetString(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            throw new ToolArgumentException("url must be an absolute http or https URL without credentials");
        }
        for (var redirects = 0; ; redirects++)
        {
            if (!allowlist.AllowsHost(uri.IdnHost))
            {
                throw new ToolException("host_not_allowed",
                    (redirects == 0 ? "" : "redirect refused: ") + $"host '{uri.IdnHost}' is not in the http.fetch allowlist", isFault: false);
            }
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await SendAsync(request, cancellationToken);
            if (Redirects.Contains(response.StatusCode) && response.Headers.Location is { } location)
            {
                if (redirects == options.MaxRedirects)
                {
                    throw new ToolException("too_many_redirects", $"more than {options.MaxRedirects} redirects", isFault: false);
                }
                uri = new Uri(uri, location);
                if (uri.Scheme is not ("http" or "https"))
                {
                    throw new ToolException("host_not_allowed", $"redirect refused: scheme '{uri.Scheme}'", isFault: false);
                }
                continue;
            }
            return await ReadAsync(uri, response, maxBytes, redirects, cancellationToken);
        }
    }

    public void Dispose() => client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is AddressRefusedException refused)
        {
            throw new ToolException("address_refused", refused.Message, isFault: false);
        }
        catch (HttpRequestException e)
        {
            throw new ToolException("fetch_failed", $"{request.RequestUri!.IdnHost}: {e.Message}");
        }
    }

    private static async Task<JsonElement> ReadAsync(Uri uri, HttpResponseMessage response, int maxBytes, int redirects, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        var truncated = read > maxBytes;
        var body = buffer.AsSpan(0, Math.Min(read, maxBytes));
        var contentType = response.Content.Headers.ContentType;
        var textual = IsTextual(contentType);
        return ToolSchemas.Output(new
        {
            url = uri.AbsoluteUri,
            status = (int)response.StatusCode,
            content_type = contentType?.ToString(),
            body = textual ? Decode(contentType, body) : null,
            body_base64 = textual ? null : Convert.ToBase64String(body),
            bytes = body.Length,
            truncated,
            redirects,
        });
    }

    private static bool IsTextual(MediaTypeHeaderValue? type) =>
        type?.MediaType is not { } media
        || media.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || media.Contains("json", StringComparison.OrdinalIgnoreCase)
        || media.Contains("xml", StringComparison.OrdinalIgnoreCase)
        || media.Contains("javascript", StringComparison.OrdinalIgnoreCase)
        || media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    private static string Decode(MediaTypeHeaderValue? type, ReadOnlySpan<byte> body)
    {
        var encoding = Encoding.UTF8;
        if (type?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                encoding = Encoding.UTF8;
            }
        }
        return encoding.GetString(body);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new AddressRefusedException($"'{host}' does not resolve: {e.SocketErrorCode}");
        }
        var target = FetchTarget.Choose(addresses, allowlist, out var refusal)
            ?? throw new AddressRefusedException($"'{host}' refused: {refusal}");
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class AddressRefusedException(string message) : Exception(message);
}
