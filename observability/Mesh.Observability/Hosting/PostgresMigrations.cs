using System.Reflection;
using Mesh.Infra.Auth;
using Mesh.Infra.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Mesh.Observability.Hosting;

/// <summary>Whether this process has brought the schema up to date.</summary>
public sealed class MigrationState
{
    private volatile string? lastError = "not started";

    /// <summary>Null once every migration is applied; otherwise why not yet.</summary>
    public string? Pending => lastError;

    internal void Set(string? error) => lastError = error;
}

/// <summary>
/// Applies the platform's and this service's migrations at start, retrying with backoff while PostgreSQL is
/// unreachable, so a service started before its database still comes up by itself. Then, in development only
/// (<c>MESH_DEV_BOOTSTRAP=1</c>), registers the dev tenant's admin key and the service key from the environment.
/// </summary>
public sealed class PostgresMigrations(
    NpgsqlDataSource dataSource, MigrationState state, ApiKeyStore keys, IConfiguration configuration,
    ILogger<PostgresMigrations> logger, IReadOnlyList<Migration> migrations) : BackgroundService
{
    /// <summary>The migrations of the platform (tenants, API keys) followed by those of a service's assembly.</summary>
    public static IReadOnlyList<Migration> For(string service, Assembly serviceAssembly) =>
        [.. Migrator.FromAssembly(typeof(Migrator).Assembly, "platform"), .. Migrator.FromAssembly(serviceAssembly, service)];

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var applied = await Migrator.ApplyAsync(dataSource, migrations, stoppingToken);
                await BootstrapDevKeysAsync(stoppingToken);
                logger.LogInformation("Schema up to date ({Applied} migrations applied now)", applied);
                state.Set(null);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                state.Set("migrations pending: " + ex.Message);
                logger.LogWarning("PostgreSQL not reachable for migrations, retrying in {Delay}: {Error}", delay, ex.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task BootstrapDevKeysAsync(CancellationToken cancellationToken)
    {
        if (configuration["MESH_DEV_BOOTSTRAP"] is not ("1" or "true"))
        {
            return;
        }
        var tenant = configuration["MESH_DEV_TENANT"] ?? "dev";
        try
        {
            if (configuration["MESH_DEV_ADMIN_KEY"] is { Length: > 0 } adminKey)
            {
                await keys.EnsureAsync(adminKey, tenant, configuration["MESH_DEV_ACTOR"] ?? "dev-user", isAdmin: true, isService: false, "development admin key", cancellationToken);
            }
            if (configuration["MESH_SERVICE_KEY"] is { Length: > 0 } serviceKey)
            {
                await keys.EnsureAsync(serviceKey, "mesh", "mesh-services", isAdmin: true, isService: true, "mesh service key", cancellationToken);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another service registered the same key a moment earlier: the key exists, which is all we need.
        }
    }
}
