using Mesh.Gateway.Options;
using Microsoft.Extensions.Options;

namespace Mesh.Gateway.Realtime;

/// <summary>
/// The one timer of the realtime side: keeps SSE streams alive, closes silent WebSockets, and ends every
/// subscription when the gateway stops so that open connections close instead of holding the shutdown.
/// </summary>
public sealed class SubscriptionSweeper(SessionHub hub, IOptions<ChatOptions> options, IHostApplicationLifetime lifetime, TimeProvider time)
    : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => hub.EndAll(SubscriptionEnd.ShuttingDown));
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var period = settings.SseKeepAlive < settings.IdleTimeout / 4 ? settings.SseKeepAlive : settings.IdleTimeout / 4;
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            hub.Sweep(settings.IdleTimeout);
        }
    }
}
