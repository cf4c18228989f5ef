using Mesh.Contracts.Policy;
using Mesh.Policy.Domain;
using Mesh.Policy.Options;
using Mesh.Policy.Storage;
using Microsoft.Extensions.Options;

namespace Mesh.Policy.Authorization;

/// <summary>The embedded evaluator over the tenant's store (its latest model, its tuples in PostgreSQL).</summary>
public sealed class EmbeddedTenantAuthorization(
    StoreRepository stores, ModelRepository models, TupleRepository tuples, IOptions<PolicyOptions> options) : ITenantAuthorization
{
    public PolicySource Source => PolicySource.Embedded;

    public bool IsolatesTenants => true;

    public async Task<CheckResult> CheckAsync(string tenantId, CheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var storeId = await stores.FindTenantStoreAsync(tenantId, cancellationToken) ?? throw NoModel(tenantId);
        var model = await models.ResolveAsync(storeId, null, cancellationToken);
        var (type, _) = TupleFormat.SplitObject(request.TupleKey.Object);
        if (!model.TypeSystem.HasType(type))
        {
            throw new AuthorizationException(AuthorizationErrorCode.TypeNotFound, $"type '{type}' not found");
        }

        if (model.TypeSystem.FindRelation(type, request.TupleKey.Relation) is null)
        {
            throw new AuthorizationException(AuthorizationErrorCode.RelationNotFound, $"relation '{type}#{request.TupleKey.Relation}' not found");
        }

        return await new AuthorizationEvaluator(model.TypeSystem, tuples.Reader(storeId)).CheckAsync(request, cancellationToken);
    }

    public async Task WriteAsync(
        string tenantId,
        IReadOnlyList<TupleKey> writes,
        IReadOnlyList<TupleKey> deletes,
        bool ignoreDuplicates,
        bool ignoreMissing,
        CancellationToken cancellationToken)
    {
        var storeId = await stores.FindTenantStoreAsync(tenantId, cancellationToken) ?? throw NoModel(tenantId);
        var model = await models.ResolveAsync(storeId, null, cancellationToken);
        TupleValidator.ValidateWriteRequest(model.TypeSystem, writes, deletes, options.Value.MaxTuplesPerWrite);
        await tuples.WriteAsync(storeId, writes, deletes, ignoreDuplicates, ignoreMissing, cancellationToken);
    }

    public async Task<TuplePage> ReadAsync(string tenantId, TupleFilter filter, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var storeId = await stores.FindTenantStoreAsync(tenantId, cancellationToken);
        return storeId is null
            ? new TuplePage([], "")
            : await tuples.ReadAsync(storeId, filter, pageSize, continuationToken, cancellationToken);
    }

    private static AuthorizationException NoModel(string tenantId) =>
        new(AuthorizationErrorCode.LatestAuthorizationModelNotFound, $"tenant '{tenantId}' has no authorization model yet");
}
