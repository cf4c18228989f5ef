using System.Threading.Channels;
using Mesh.Infra.Redis;
using Mesh.Observability.Hosting;
using Mesh.Policy.Domain;
using Mesh.Policy.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Mesh.Policy.KillSwitches;

/// <summary>
/// This instance's copy of the engaged kill switches. Reloaded from PostgreSQL at once when a flip is
/// announced on Redis (<see cref="NotificationChannel"/>), and on a short period regardless, so a flip reaches
/// every instance within one second even when a notification is lost. When the copy grows stale (reloads
/// failing), <see cref="Engaged"/> is null and checks fail closed.
/// </summary>
public sealed class KillSwitchCache(
    NpgsqlDataSource dataSource,
    RedisConnection redis,
    MigrationState migrations,
    IOptions<PolicyOptions> options,
    TimeProvider time,
    ILogger<KillSwitchCache> logger)
    : BackgroundService
{
    public const string NotificationChannel = "mesh:policy:kill-switches";

    private readonly PolicyOptions settings = options.Value;
    private readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile Snapshot? current;
    private bool subscribed;

    /// <summary>The engaged switches, or null when this instance does not know them (never loaded, or stale).</summary>
    public IReadOnlyList<KillSwitch>? Engaged =>
        current is { } snapshot && time.GetUtcNow() - snapshot.LoadedAt <= settings.KillSwitchMaxStaleness ? snapshot.Switches : null;

    /// <summary>Reloads now (after a flip made through this instance).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var loadedAt = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("SELECT scope, tenant_id, tool, reason FROM policy_kill_switches WHERE enabled");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var switches = new List<KillSwitch>();
        while (await reader.ReadAsync(cancellationToken))
        {
            switches.Add(new KillSwitch(
                KillSwitchStore.ParseScope(reader.GetString(0)),
                reader.GetString(1) is { Length: > 0 } tenant ? tenant : null,
                reader.GetString(2) is { Length: > 0 } tool ? tool : null,
                reader.GetString(3)));
        }

        current = new Snapshot(switches, loadedAt);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await SubscribeAsync();
            try
            {
                // Until the schema is up there is nothing to read; the state stays unknown (checks fail closed).
                if (migrations.Pending is null)
                {
                    await RefreshAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                Log.KillSwitchRefreshFailed(logger, e.Message);
            }

            using var interval = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            interval.CancelAfter(settings.KillSwitchRefreshInterval);
            try
            {
                await wake.Reader.WaitToReadAsync(interval.Token);
                wake.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // The period elapsed without a notification: reload anyway.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SubscribeAsync()
    {
        if (subscribed)
        {
            return;
        }

        try
        {
            // Once subscribed, the multiplexer re-subscribes by itself after a reconnect.
            await redis.Multiplexer.GetSubscriber().SubscribeAsync(NotificationChannel, (_, _) => wake.Writer.TryWrite(true));
            subscribed = true;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Log.KillSwitchSubscribeFailed(logger, e.Message);
        }
    }

    private sealed record Snapshot(IReadOnlyList<KillSwitch> Switches, DateTimeOffset LoadedAt);
}
