using System.Collections.Concurrent;
using Mesh.Policy.Domain;
using Npgsql;

namespace Mesh.Policy.Storage;

/// <summary>An authorization model of a store, validated and indexed for evaluation.</summary>
public sealed record StoredModel(string Id, TypeSystem TypeSystem);

/// <summary>
/// Authorization models in PostgreSQL (as OpenFGA's JSON). Models are immutable, so each one is parsed and
/// validated once per process and kept by id.
/// </summary>
public sealed class ModelRepository(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const int MaxCachedModels = 2048;
    private readonly ConcurrentDictionary<string, TypeSystem> typeSystems = new(StringComparer.Ordinal);

    /// <summary>Validates and stores a model; returns its id.</summary>
    /// <exception cref="AuthorizationException">The model is invalid (code 2056).</exception>
    public async Task<string> WriteAsync(string storeId, AuthorizationModel model, CancellationToken cancellationToken)
    {
        var typeSystem = TypeSystem.Create(model);
        var id = Ulid.NewId(time);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO policy_models (id, store_id, schema_version, model) VALUES (@id, @store, @version, @model::jsonb)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("store", storeId);
        command.Parameters.AddWithValue("version", model.SchemaVersion);
        command.Parameters.AddWithValue("model", AuthorizationModelJson.Serialize(model));
        await command.ExecuteNonQueryAsync(cancellationToken);
        Remember(storeId, id, typeSystem);
        return id;
    }

    /// <summary>
    /// The model to evaluate with: <paramref name="modelId"/> when given, else the store's latest.
    /// </summary>
    /// <exception cref="AuthorizationException">No such model (2001), or the store has none yet (2020).</exception>
    public async Task<StoredModel> ResolveAsync(string storeId, string? modelId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            await using var latest = dataSource.CreateCommand("SELECT id FROM policy_models WHERE store_id = @store ORDER BY id DESC LIMIT 1");
            latest.Parameters.AddWithValue("store", storeId);
            modelId = await latest.ExecuteScalarAsync(cancellationToken) as string
                ?? throw new AuthorizationException(AuthorizationErrorCode.LatestAuthorizationModelNotFound, "no authorization model found for the store");
        }
        else if (!Ulid.IsWellFormed(modelId))
        {
            throw new AuthorizationException(AuthorizationErrorCode.ValidationError, $"invalid authorization_model_id '{modelId}'");
        }

        // Keyed by store and model: a model is only visible through its own store.
        if (typeSystems.TryGetValue(CacheKey(storeId, modelId), out var cached))
        {
            return new StoredModel(modelId, cached);
        }

        var model = await FindAsync(storeId, modelId, cancellationToken) ?? throw NotFound(modelId);
        var typeSystem = TypeSystem.Create(model);
        Remember(storeId, modelId, typeSystem);
        return new StoredModel(modelId, typeSystem);
    }

    /// <summary>The model as written, or null when the store has no such model.</summary>
    public async Task<AuthorizationModel?> FindAsync(string storeId, string modelId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT model::text FROM policy_models WHERE id = @id AND store_id = @store");
        command.Parameters.AddWithValue("id", modelId);
        command.Parameters.AddWithValue("store", storeId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json ? AuthorizationModelJson.Parse(json) : null;
    }

    /// <summary>The store's models, newest first, starting below <paramref name="beforeId"/>.</summary>
    public async Task<IReadOnlyList<(string Id, AuthorizationModel Model)>> ListAsync(
        string storeId, string? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, model::text FROM policy_models WHERE store_id = @store AND (@before = '' OR id < @before) ORDER BY id DESC LIMIT @limit");
        command.Parameters.AddWithValue("store", storeId);
        command.Parameters.AddWithValue("before", beforeId ?? "");
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var models = new List<(string, AuthorizationModel)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            models.Add((reader.GetString(0), AuthorizationModelJson.Parse(reader.GetString(1))));
        }

        return models;
    }

    private static string CacheKey(string storeId, string modelId) => $"{storeId}/{modelId}";

    private void Remember(string storeId, string modelId, TypeSystem typeSystem)
    {
        if (typeSystems.Count >= MaxCachedModels)
        {
            typeSystems.Clear();
        }

        typeSystems[CacheKey(storeId, modelId)] = typeSystem;
    }

    private static AuthorizationException NotFound(string modelId) =>
        new(AuthorizationErrorCode.AuthorizationModelNotFound, $"authorization model '{modelId}' not found");
}
