using System.Net;
using Microsoft.AspNetCore.Rewrite;
using Microsoft.Extensions.FileProviders;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// The web pages, the chat page at <c>/</c> and the ops page at <c>/ops</c>: static files from <c>wwwroot</c> beside the
/// binary, open to anyone (every API call they make carries the key the user enters), and in development a way for
/// them to find the dev key.
/// </summary>
public static class ChatPage
{
    private const string Policy =
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>Serves the pages; must come before authentication, which would otherwise demand a key for them.</summary>
    public static WebApplication UseChatPage(this WebApplication app)
    {
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseRewriter(new RewriteOptions().AddRewrite("^ops$", "ops.html", skipRemainingRules: true));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = Policy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }

    /// <summary>
    /// <c>GET /dev-key.json</c>: the dev admin key (<c>key</c>, for the chat page) and the service key (<c>ops_key</c>, for
    /// the ops page), only with <c>MESH_DEV_BOOTSTRAP=1</c> and only to a loopback caller that did not come through a
    /// proxy; 404 otherwise, so production never hands out a key.
    /// </summary>
    public static IEndpointRouteBuilder MapDevKey(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dev-key.json", (HttpContext http, IConfiguration configuration) =>
        {
            var enabled = configuration["MESH_DEV_BOOTSTRAP"] is "1" or "true";
            var key = configuration["MESH_DEV_ADMIN_KEY"];
            var loopback = http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                && !http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("Forwarded");
            if (!enabled || string.IsNullOrEmpty(key) || !loopback)
            {
                return Results.NotFound();
            }
            http.Response.Headers.CacheControl = "no-store";
            var opsKey = configuration["MESH_SERVICE_KEY"];
            return Results.Json(new { key, ops_key = string.IsNullOrEmpty(opsKey) ? null : opsKey });
        }).AllowAnonymous();
        return endpoints;
    }
}
