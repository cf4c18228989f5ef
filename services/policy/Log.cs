using Microsoft.Extensions.Logging;

namespace Mesh.Policy;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Evaluation failed for tenant {TenantId}; denied: {Error}")]
    public static partial void EvaluationFailed(ILogger logger, string tenantId, string error);

    [LoggerMessage(2, LogLevel.Error, "Decision {DecisionId} was answered but not audited: the audit queue stayed full or was closed")]
    public static partial void DecisionNotAudited(ILogger logger, Guid decisionId);

    [LoggerMessage(3, LogLevel.Warning, "Writing {Count} decisions to the audit failed, retrying in {Delay}: {Error}")]
    public static partial void DecisionAuditRetry(ILogger logger, int count, TimeSpan delay, string error);

    [LoggerMessage(4, LogLevel.Error, "Gave up writing {Count} decisions to the audit at shutdown: {Error}")]
    public static partial void DecisionAuditAbandoned(ILogger logger, int count, string error);

    [LoggerMessage(5, LogLevel.Error, "Publishing a decision on policy.decisions failed (it stays in the database audit): {Failure}")]
    public static partial void DecisionPublishFailed(ILogger logger, string failure);

    [LoggerMessage(10, LogLevel.Warning, "Reloading kill switches failed: {Error}")]
    public static partial void KillSwitchRefreshFailed(ILogger logger, string error);

    [LoggerMessage(11, LogLevel.Warning, "Subscribing to kill-switch notifications failed (periodic reload continues): {Error}")]
    public static partial void KillSwitchSubscribeFailed(ILogger logger, string error);

    [LoggerMessage(12, LogLevel.Warning, "Kill switch {Scope} tenant={TenantId} tool={Tool} set enabled={Enabled} by {ActorTenant}/{Actor}")]
    public static partial void KillSwitchFlipped(ILogger logger, string scope, string tenantId, string tool, bool enabled, string actorTenant, string actor);

    [LoggerMessage(13, LogLevel.Warning, "Announcing a kill-switch flip on Redis failed (instances reload periodically): {Error}")]
    public static partial void KillSwitchAnnounceFailed(ILogger logger, string error);

    [LoggerMessage(20, LogLevel.Information, "Released {Count} expired budget reservations")]
    public static partial void ReservationsExpired(ILogger logger, int count);

    [LoggerMessage(21, LogLevel.Warning, "Recording {Count} reservation expiries in the ledger failed: {Error}")]
    public static partial void ExpiryLedgerFailed(ILogger logger, int count, string error);

    [LoggerMessage(22, LogLevel.Warning, "Budget sweep failed: {Error}")]
    public static partial void BudgetSweepFailed(ILogger logger, string error);

    [LoggerMessage(30, LogLevel.Information, "Development seed: tenant {TenantId} has store {StoreId} (model written now: {ModelWritten}) and {TupleCount} tuples ensured")]
    public static partial void DevSeeded(ILogger logger, string tenantId, string storeId, bool modelWritten, int tupleCount);

    [LoggerMessage(31, LogLevel.Warning, "Development seed failed, retrying in {Delay}: {Error}")]
    public static partial void DevSeedFailed(ILogger logger, TimeSpan delay, string error);

    [LoggerMessage(32, LogLevel.Error, "Development seed refused for tenant {TenantId} (its model does not take the seed's tuples): {Error}")]
    public static partial void DevSeedRefused(ILogger logger, string tenantId, string error);
}
