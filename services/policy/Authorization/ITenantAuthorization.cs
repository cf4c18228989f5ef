using Mesh.Contracts.Policy;
using Mesh.Policy.Domain;
using Mesh.Policy.Storage;

namespace Mesh.Policy.Authorization;

/// <summary>
/// Where a tenant's /v1 checks, tuple writes and reads are answered: the embedded evaluator over the tenant's
/// own store in PostgreSQL, or the configured OpenFGA server. Input errors are <see cref="AuthorizationException"/>s.
/// </summary>
public interface ITenantAuthorization
{
    /// <summary>Who evaluates, as recorded in decisions.</summary>
    PolicySource Source { get; }

    /// <summary>
    /// Whether every tenant has its own tuples. When false (one shared OpenFGA store), tuple writes and reads
    /// are for mesh administrators only.
    /// </summary>
    bool IsolatesTenants { get; }

    /// <exception cref="AuthorizationException">Bad input, or code 2020 when the tenant has no model yet.</exception>
    Task<CheckResult> CheckAsync(string tenantId, CheckRequest request, CancellationToken cancellationToken);

    Task WriteAsync(
        string tenantId,
        IReadOnlyList<TupleKey> writes,
        IReadOnlyList<TupleKey> deletes,
        bool ignoreDuplicates,
        bool ignoreMissing,
        CancellationToken cancellationToken);

    Task<TuplePage> ReadAsync(string tenantId, TupleFilter filter, int pageSize, string? continuationToken, CancellationToken cancellationToken);
}
