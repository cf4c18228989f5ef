using Mesh.Policy.Domain;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>
/// The OpenFGA operations the conformance runner drives. One implementation calls the domain directly;
/// another (<see cref="HttpAuthorizationApi"/>) calls the policy service's OpenFGA-compatible HTTP API. Failures are
/// <see cref="AuthorizationException"/>s carrying OpenFGA's error code.
/// </summary>
public interface IAuthorizationApi
{
    Task<string> CreateStoreAsync(string name, CancellationToken cancellationToken);

    Task<string> WriteAuthorizationModelAsync(string storeId, AuthorizationModel model, CancellationToken cancellationToken);

    Task WriteTuplesAsync(string storeId, string modelId, IReadOnlyList<TupleKey> tuples, CancellationToken cancellationToken);

    Task<bool> CheckAsync(string storeId, string modelId, CheckRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListObjectsAsync(string storeId, string modelId, ListObjectsRequest request, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListUsersAsync(string storeId, string modelId, ListUsersRequest request, CancellationToken cancellationToken);
}
