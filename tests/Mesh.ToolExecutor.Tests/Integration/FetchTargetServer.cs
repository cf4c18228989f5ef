using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>A local Kestrel server on 127.0.0.1 that http.fetch is allowed to reach (its address is allowlisted explicitly).</summary>
public sealed class FetchTargetServer : IAsyncDisposable
{
    public const string Greeting = "hello from the fetch target";

    private readonly WebApplication app;

    private FetchTargetServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    public static async Task<FetchTargetServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/hello", () => Results.Text(Greeting, "text/plain; charset=utf-8"));
        app.MapGet("/json", () => Results.Json(new { ok = true, items = new[] { 1, 2, 3 } }));
        app.MapGet("/big", () => Results.Text(new string('x', 300_000), "text/plain"));
        app.MapGet("/redirect-local", () => Results.Redirect("/hello"));
        app.MapGet("/redirect-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        app.MapGet("/redirect-elsewhere", () => Results.Redirect("http://not-allowlisted.example/"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FetchTargetServer(app, new Uri(address));
    }

    public Uri Url(string path) => new(BaseAddress, path);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
