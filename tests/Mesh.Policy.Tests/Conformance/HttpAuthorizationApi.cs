using Mesh.Policy.Domain;
using Mesh.Policy.OpenFga;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>
/// The policy service's OpenFGA-compatible HTTP API, reached through <see cref="OpenFgaClient"/>: models go out as
/// OpenFGA's JSON, errors come back as <c>{code, message}</c> and are mapped to their codes.
/// </summary>
public sealed class HttpAuthorizationApi(OpenFgaClient client) : IAuthorizationApi
{
    public async Task<string> CreateStoreAsync(string name, CancellationToken cancellationToken) =>
        (await client.CreateStoreAsync(name, cancellationToken)).Id;

    public Task<string> WriteAuthorizationModelAsync(string storeId, AuthorizationModel model, CancellationToken cancellationToken) =>
        client.WriteAuthorizationModelAsync(storeId, model, cancellationToken);

    public Task WriteTuplesAsync(string storeId, string modelId, IReadOnlyList<TupleKey> tuples, CancellationToken cancellationToken) =>
        client.WriteAsync(storeId, modelId, tuples, [], ignoreDuplicates: false, ignoreMissing: false, cancellationToken);

    public async Task<bool> CheckAsync(string storeId, string modelId, CheckRequest request, CancellationToken cancellationToken) =>
        (await client.CheckAsync(storeId, modelId, request, cancellationToken)).Allowed;

    public Task<IReadOnlyList<string>> ListObjectsAsync(string storeId, string modelId, ListObjectsRequest request, CancellationToken cancellationToken) =>
        client.ListObjectsAsync(storeId, modelId, request, cancellationToken);

    public Task<IReadOnlyList<string>> ListUsersAsync(string storeId, string modelId, ListUsersRequest request, CancellationToken cancellationToken) =>
        client.ListUsersAsync(storeId, modelId, request, cancellationToken);
}
