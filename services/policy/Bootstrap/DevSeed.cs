using Mesh.Observability.Hosting;
using Mesh.Policy.Authorization;
using Mesh.Policy.Domain;
using Mesh.Policy.Options;
using Mesh.Policy.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Policy.Bootstrap;

/// <summary>
/// Development only (<c>MESH_DEV_BOOTSTRAP=1</c>): once the schema is up, makes sure the dev tenant has a store
/// with the default model (written only when the store has none, so an extended model is kept) and the tuples
/// that let its actor execute the built-in tools as a member of the tenant. Idempotent; retried until it succeeds.
/// </summary>
public sealed class DevSeed(
    IOptions<DevBootstrapOptions> options,
    MigrationState migrations,
    ITenantAuthorization authorization,
    StoreRepository stores,
    ModelRepository models,
    ILogger<DevSeed> logger) : BackgroundService
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Null once seeded (or when seeding is off); otherwise why not yet, for <c>/readyz</c>.</summary>
    public string? Pending => done.Task.IsCompleted ? null : "development seed pending";

    /// <summary>The tuples the seed ensures for a tenant and actor.</summary>
    public static IReadOnlyList<TupleKey> Tuples(string tenantId, string actor) =>
    [
        new($"tenant:{tenantId}", "member", $"user:{actor}"),
        .. DevBootstrapOptions.BuiltInTools.Select(tool => new TupleKey($"tool:{tool}", "executor", $"tenant:{tenantId}#member")),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            done.TrySetResult();
            return;
        }

        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (migrations.Pending is null)
                {
                    await SeedAsync(settings, stoppingToken);
                    done.TrySetResult();
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (AuthorizationException e)
            {
                // The tenant's own model does not take the seed's tuples: retrying cannot help, and the service is usable.
                Log.DevSeedRefused(logger, settings.Tenant, e.Message);
                done.TrySetResult();
                return;
            }
            catch (Exception e)
            {
                Log.DevSeedFailed(logger, delay, e.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    private async Task SeedAsync(DevBootstrapOptions settings, CancellationToken cancellationToken)
    {
        var storeId = "(openfga)";
        var modelWritten = false;
        if (authorization.IsolatesTenants)
        {
            storeId = await stores.EnsureTenantStoreAsync(settings.Tenant, cancellationToken);
            try
            {
                await models.ResolveAsync(storeId, null, cancellationToken);
            }
            catch (AuthorizationException e) when (e.Code == AuthorizationErrorCode.LatestAuthorizationModelNotFound)
            {
                await models.WriteAsync(storeId, DslParser.Parse(DefaultAuthorizationModel.Dsl), cancellationToken);
                modelWritten = true;
            }
        }

        var tuples = Tuples(settings.Tenant, settings.Actor);
        await authorization.WriteAsync(settings.Tenant, tuples, [], ignoreDuplicates: true, ignoreMissing: false, cancellationToken);
        Log.DevSeeded(logger, settings.Tenant, storeId, modelWritten, tuples.Count);
    }
}
