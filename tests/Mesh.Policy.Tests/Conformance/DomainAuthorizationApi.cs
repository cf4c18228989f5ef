using System.Collections.Concurrent;
using System.Globalization;
using Mesh.Policy.Domain;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>Stores and models held in memory, queried through <see cref="AuthorizationEvaluator"/>.</summary>
public sealed class DomainAuthorizationApi : IAuthorizationApi
{
    private readonly ConcurrentDictionary<string, Store> stores = new(StringComparer.Ordinal);
    private int nextId;

    public Task<string> CreateStoreAsync(string name, CancellationToken cancellationToken)
    {
        var id = NewId("store");
        stores[id] = new Store();
        return Task.FromResult(id);
    }

    public Task<string> WriteAuthorizationModelAsync(string storeId, AuthorizationModel model, CancellationToken cancellationToken)
    {
        var typeSystem = TypeSystem.Create(model);
        var id = NewId("model");
        StoreOf(storeId).Models[id] = typeSystem;
        return Task.FromResult(id);
    }

    public Task WriteTuplesAsync(string storeId, string modelId, IReadOnlyList<TupleKey> tuples, CancellationToken cancellationToken)
    {
        var store = StoreOf(storeId);
        TupleValidator.ValidateWrites(ModelOf(store, modelId), tuples);
        lock (store.Tuples)
        {
            if (tuples.FirstOrDefault(store.Tuples.Contains) is { } existing)
            {
                throw new AuthorizationException(AuthorizationErrorCode.WriteFailedDueToInvalidInput, $"cannot write a tuple which already exists: '{existing}'");
            }

            foreach (var tuple in tuples)
            {
                store.Tuples.Add(tuple);
            }
        }

        return Task.CompletedTask;
    }

    public async Task<bool> CheckAsync(string storeId, string modelId, CheckRequest request, CancellationToken cancellationToken) =>
        (await Evaluator(storeId, modelId).CheckAsync(request, cancellationToken)).Allowed;

    public Task<IReadOnlyList<string>> ListObjectsAsync(string storeId, string modelId, ListObjectsRequest request, CancellationToken cancellationToken) =>
        Evaluator(storeId, modelId).ListObjectsAsync(request, cancellationToken);

    public Task<IReadOnlyList<string>> ListUsersAsync(string storeId, string modelId, ListUsersRequest request, CancellationToken cancellationToken) =>
        Evaluator(storeId, modelId).ListUsersAsync(request, cancellationToken);

    private AuthorizationEvaluator Evaluator(string storeId, string modelId)
    {
        var store = StoreOf(storeId);
        return new AuthorizationEvaluator(ModelOf(store, modelId), store.Tuples);
    }

    private Store StoreOf(string storeId) =>
        stores.TryGetValue(storeId, out var store) ? store : throw new InvalidOperationException($"store '{storeId}' not found");

    private static TypeSystem ModelOf(Store store, string modelId) =>
        store.Models.TryGetValue(modelId, out var model)
            ? model
            : throw new AuthorizationException(AuthorizationErrorCode.AuthorizationModelNotFound, $"authorization model '{modelId}' not found");

    private string NewId(string prefix) =>
        $"{prefix}-{Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture)}";

    private sealed class Store
    {
        public InMemoryTupleStore Tuples { get; } = new();

        public ConcurrentDictionary<string, TypeSystem> Models { get; } = new(StringComparer.Ordinal);
    }
}
