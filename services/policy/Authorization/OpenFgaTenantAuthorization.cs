using Mesh.Contracts.Policy;
using Mesh.Policy.Domain;
using Mesh.Policy.OpenFga;
using Mesh.Policy.Options;
using Mesh.Policy.Storage;
using Microsoft.Extensions.Options;

namespace Mesh.Policy.Authorization;

/// <summary>
/// The configured OpenFGA server (<c>OPENFGA_STORE_ID</c>, <c>OPENFGA_MODEL_ID</c>). Every tenant shares that
/// store; the model relates objects to tenants (<c>tenant:acme#member</c>), as the default model does.
/// </summary>
public sealed class OpenFgaTenantAuthorization(OpenFgaClient client, IOptions<OpenFgaOptions> options) : ITenantAuthorization
{
    private readonly OpenFgaOptions settings = options.Value;

    public PolicySource Source => PolicySource.OpenFga;

    public bool IsolatesTenants => false;

    public async Task<CheckResult> CheckAsync(string tenantId, CheckRequest request, CancellationToken cancellationToken)
    {
        var answer = await client.CheckAsync(settings.StoreId, settings.ModelId, request, cancellationToken);
        return new CheckResult(answer.Allowed, answer.Resolution ?? "");
    }

    public Task WriteAsync(
        string tenantId,
        IReadOnlyList<TupleKey> writes,
        IReadOnlyList<TupleKey> deletes,
        bool ignoreDuplicates,
        bool ignoreMissing,
        CancellationToken cancellationToken) =>
        client.WriteAsync(settings.StoreId, settings.ModelId, writes, deletes, ignoreDuplicates, ignoreMissing, cancellationToken);

    public async Task<TuplePage> ReadAsync(string tenantId, TupleFilter filter, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        var page = await client.ReadAsync(settings.StoreId, filter, pageSize, continuationToken, cancellationToken);
        return new TuplePage(page.Tuples.Select(t => new StoredTuple(t.Key.ToKey(), t.Timestamp)).ToList(), page.ContinuationToken);
    }
}
