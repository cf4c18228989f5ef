using System.Security.Cryptography;
using System.Text;
using Mesh.Contracts.Common;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Mesh.Infra.Auth;

/// <summary>Who an accepted API key speaks for.</summary>
/// <param name="KeyId">The key's id (never the key itself).</param>
/// <param name="TenantId">The tenant the key is bound to.</param>
/// <param name="Actor">The actor (user or service name) within the tenant.</param>
/// <param name="IsAdmin">Whether the key may use admin endpoints of its tenant.</param>
/// <param name="IsService">Whether the key belongs to a mesh service calling another.</param>
public sealed record ApiKeyPrincipal(Guid KeyId, string TenantId, string Actor, bool IsAdmin, bool IsService);

/// <summary>Why a presented key was refused.</summary>
public enum ApiKeyFailure
{
    /// <summary>The key was accepted.</summary>
    None,
    /// <summary>No such key.</summary>
    Unknown,
    /// <summary>The key was revoked.</summary>
    Revoked,
    /// <summary>The key is past its expiry.</summary>
    Expired,
}

/// <summary>The outcome of validating a key.</summary>
public sealed record ApiKeyValidation(ApiKeyPrincipal? Principal, ApiKeyFailure Failure)
{
    /// <summary>True when the key was accepted.</summary>
    public bool IsValid => Principal is not null;
}

/// <summary>A key as listed to admins: everything but the secret.</summary>
public sealed record ApiKeyInfo(
    Guid Id, string TenantId, string Actor, string KeyPrefix, bool IsAdmin, bool IsService, string Description,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>A newly issued key. <see cref="Key"/> is shown once and never stored.</summary>
public sealed record IssuedApiKey(Guid Id, string Key, ApiKeyInfo Info);

/// <summary>
/// The mesh's API keys: one table, keys stored as SHA-256 hashes, and a short validation cache
/// shared by every service so that a request costs no database round trip in the common case.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, IMemoryCache cache, TimeProvider time)
{
    /// <summary>How long a validation result is reused; it bounds how late a revocation takes effect.</summary>
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(10);

    private const string KeyPrefix = "mesh_";

    /// <summary>Validates a presented key.</summary>
    public async Task<ApiKeyValidation> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 200)
        {
            return new ApiKeyValidation(null, ApiKeyFailure.Unknown);
        }
        var hash = Hash(presented);
        var cacheKey = "apikey:" + Convert.ToHexString(hash);
        if (cache.TryGetValue(cacheKey, out (ApiKeyInfo? Info, DateTimeOffset At) cached))
        {
            return Judge(cached.Info);
        }

        await using var command = dataSource.CreateCommand(
            "SELECT id, tenant_id, actor, key_prefix, is_admin, is_service, description, created_at, expires_at, revoked_at FROM api_keys WHERE key_hash = @h");
        command.Parameters.AddWithValue("h", hash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var info = await reader.ReadAsync(cancellationToken) ? ReadInfo(reader) : null;
        cache.Set(cacheKey, (info, time.GetUtcNow()), CacheDuration);
        return Judge(info);
    }

    /// <summary>Issues a new key for an actor of a tenant.</summary>
    public async Task<IssuedApiKey> IssueAsync(
        string tenantId, string actor, bool isAdmin, bool isService, DateTimeOffset? expiresAt, string description, CancellationToken cancellationToken)
    {
        var key = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = await InsertAsync(key, tenantId, actor, isAdmin, isService, expiresAt, description, cancellationToken);
        var info = new ApiKeyInfo(id, tenantId, actor, key[..12], isAdmin, isService, description, time.GetUtcNow(), expiresAt, null);
        return new IssuedApiKey(id, key, info);
    }

    /// <summary>
    /// Registers a key whose secret was generated elsewhere (the development bootstrap), creating its tenant
    /// if needed. Does nothing when the key is already registered.
    /// </summary>
    public async Task EnsureAsync(string key, string tenantId, string actor, bool isAdmin, bool isService, string description, CancellationToken cancellationToken)
    {
        await EnsureTenantAsync(tenantId, tenantId, cancellationToken);
        await using var exists = dataSource.CreateCommand("SELECT 1 FROM api_keys WHERE key_hash = @h");
        exists.Parameters.AddWithValue("h", Hash(key));
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await InsertAsync(key, tenantId, actor, isAdmin, isService, null, description, cancellationToken);
        }
    }

    /// <summary>Creates a tenant unless it exists.</summary>
    public async Task EnsureTenantAsync(string tenantId, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO tenants (id, name) VALUES (@id, @name) ON CONFLICT (id) DO NOTHING");
        command.Parameters.AddWithValue("id", tenantId);
        command.Parameters.AddWithValue("name", name);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Lists a tenant's keys, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, tenant_id, actor, key_prefix, is_admin, is_service, description, created_at, expires_at, revoked_at FROM api_keys WHERE tenant_id = @t ORDER BY created_at DESC");
        command.Parameters.AddWithValue("t", tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(ReadInfo(reader));
        }
        return list;
    }

    /// <summary>Revokes a key of a tenant; false when the tenant has no such key.</summary>
    public Task<bool> RevokeAsync(string tenantId, Guid keyId, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = @id AND tenant_id = @t", tenantId, keyId, null, cancellationToken);

    /// <summary>Sets (or moves) a key's expiry; false when the tenant has no such key.</summary>
    public Task<bool> ExpireAsync(string tenantId, Guid keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync("UPDATE api_keys SET expires_at = @at WHERE id = @id AND tenant_id = @t", tenantId, keyId, at, cancellationToken);

    private async Task<bool> UpdateAsync(string sql, string tenantId, Guid keyId, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", keyId);
        command.Parameters.AddWithValue("t", tenantId);
        if (at is { } value)
        {
            command.Parameters.AddWithValue("at", value);
        }
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<Guid> InsertAsync(
        string key, string tenantId, string actor, bool isAdmin, bool isService, DateTimeOffset? expiresAt, string description, CancellationToken cancellationToken)
    {
        var id = TimeOrderedIds.NewId();
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO api_keys (id, tenant_id, actor, key_hash, key_prefix, is_admin, is_service, description, expires_at)
            VALUES (@id, @t, @a, @h, @p, @admin, @service, @d, @exp)
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("t", tenantId);
        command.Parameters.AddWithValue("a", actor);
        command.Parameters.AddWithValue("h", Hash(key));
        command.Parameters.AddWithValue("p", key[..Math.Min(12, key.Length)]);
        command.Parameters.AddWithValue("admin", isAdmin);
        command.Parameters.AddWithValue("service", isService);
        command.Parameters.AddWithValue("d", description);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("exp", expiresAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return id;
    }

    private ApiKeyValidation Judge(ApiKeyInfo? info)
    {
        if (info is null)
        {
            return new ApiKeyValidation(null, ApiKeyFailure.Unknown);
        }
        if (info.RevokedAt is not null)
        {
            return new ApiKeyValidation(null, ApiKeyFailure.Revoked);
        }
        if (info.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            return new ApiKeyValidation(null, ApiKeyFailure.Expired);
        }
        return new ApiKeyValidation(new ApiKeyPrincipal(info.Id, info.TenantId, info.Actor, info.IsAdmin, info.IsService), ApiKeyFailure.None);
    }

    private static ApiKeyInfo ReadInfo(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetBoolean(4), reader.GetBoolean(5),
        reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9));

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
