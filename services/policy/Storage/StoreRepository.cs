using System.Collections.Concurrent;
using Npgsql;

namespace Mesh.Policy.Storage;

/// <summary>An OpenFGA store and the tenant that owns it.</summary>
public sealed record StoreRecord(string Id, string TenantId, string Name, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>
/// Stores in PostgreSQL. Every lookup is scoped to the caller's tenant: another tenant's store is
/// indistinguishable from a missing one.
/// </summary>
public sealed class StoreRepository(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = "id, tenant_id, name, created_at, updated_at";

    // A tenant's /v1 store never changes once assigned, so it is looked up once per process.
    private readonly ConcurrentDictionary<string, string> tenantStores = new(StringComparer.Ordinal);

    public async Task<StoreRecord> CreateAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"INSERT INTO policy_stores (id, tenant_id, name) VALUES (@id, @tenant, @name) RETURNING {Columns}");
        command.Parameters.AddWithValue("id", Ulid.NewId(time));
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", name);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>The store if it exists and belongs to <paramref name="tenantId"/>.</summary>
    public async Task<StoreRecord?> FindAsync(string tenantId, string storeId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM policy_stores WHERE id = @id AND tenant_id = @tenant");
        command.Parameters.AddWithValue("id", storeId);
        command.Parameters.AddWithValue("tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>The tenant's stores in id order, starting after <paramref name="afterId"/>.</summary>
    public async Task<IReadOnlyList<StoreRecord>> ListAsync(string tenantId, string? afterId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM policy_stores WHERE tenant_id = @tenant AND id > @after ORDER BY id LIMIT @limit");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("after", afterId ?? "");
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var stores = new List<StoreRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            stores.Add(Read(reader));
        }

        return stores;
    }

    /// <summary>The store that answers the tenant's /v1/check, or null when it has none yet.</summary>
    public async Task<string?> FindTenantStoreAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (tenantStores.TryGetValue(tenantId, out var known))
        {
            return known;
        }

        await using var command = dataSource.CreateCommand("SELECT store_id FROM policy_tenant_stores WHERE tenant_id = @tenant");
        command.Parameters.AddWithValue("tenant", tenantId);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string storeId)
        {
            return null;
        }

        tenantStores[tenantId] = storeId;
        return storeId;
    }

    /// <summary>The tenant's /v1/check store, created (named <c>mesh-&lt;tenant&gt;</c>) when it has none.</summary>
    public async Task<string> EnsureTenantStoreAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (await FindTenantStoreAsync(tenantId, cancellationToken) is { } existing)
        {
            return existing;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two instances (or two requests) creating the tenant's store at once: the lock lets one win cleanly.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('policy-tenant-store:' || @tenant, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("tenant", tenantId);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var find = new NpgsqlCommand("SELECT store_id FROM policy_tenant_stores WHERE tenant_id = @tenant", connection, transaction))
        {
            find.Parameters.AddWithValue("tenant", tenantId);
            if (await find.ExecuteScalarAsync(cancellationToken) is string raced)
            {
                return raced;
            }
        }

        var storeId = Ulid.NewId(time);
        await using (var create = new NpgsqlCommand(
            """
            INSERT INTO policy_stores (id, tenant_id, name) VALUES (@id, @tenant, @name);
            INSERT INTO policy_tenant_stores (tenant_id, store_id) VALUES (@tenant, @id);
            """, connection, transaction))
        {
            create.Parameters.AddWithValue("id", storeId);
            create.Parameters.AddWithValue("tenant", tenantId);
            create.Parameters.AddWithValue("name", $"mesh-{tenantId}");
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return storeId;
    }

    private static StoreRecord Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2),
        reader.GetFieldValue<DateTime>(3), reader.GetFieldValue<DateTime>(4));
}
