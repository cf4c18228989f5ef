using System.Text;
using System.Text.Json;
using Mesh.Policy.Domain;
using Npgsql;

namespace Mesh.Policy.Storage;

/// <summary>A stored tuple and when it was written.</summary>
public sealed record StoredTuple(TupleKey Key, DateTime WrittenAt);

/// <summary>A Read filter: an object (<c>type:id</c>) or only a type (<c>type:</c>), optionally a relation and a user.</summary>
public sealed record TupleFilter(string? Object, string? Relation, string? User);

/// <summary>One page of a Read and the token for the next (empty at the end).</summary>
public sealed record TuplePage(IReadOnlyList<StoredTuple> Tuples, string ContinuationToken);

/// <summary>Writes, deletes and reads the tuples of a store in PostgreSQL. Validation against the model is the caller's.</summary>
public sealed class TupleRepository(NpgsqlDataSource dataSource)
{
    /// <summary>A reader for evaluation over the store's tuples.</summary>
    public ITupleReader Reader(string storeId) => new PostgresTupleReader(dataSource, storeId);

    /// <summary>
    /// Deletes and writes in one transaction: all of it happens or none. A write of a stored tuple (unless
    /// <paramref name="ignoreDuplicates"/>) or a delete of a missing one (unless <paramref name="ignoreMissing"/>) fails with code 2017.
    /// </summary>
    public async Task WriteAsync(
        string storeId,
        IReadOnlyList<TupleKey> writes,
        IReadOnlyList<TupleKey> deletes,
        bool ignoreDuplicates,
        bool ignoreMissing,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (deletes.Count > 0)
        {
            await using var delete = new NpgsqlCommand(
                """
                DELETE FROM policy_tuples t
                USING unnest(@types, @ids, @relations, @users) AS d(object_type, object_id, relation, user_value)
                WHERE t.store_id = @store AND t.object_type = d.object_type AND t.object_id = d.object_id
                  AND t.relation = d.relation AND t.user_value = d.user_value
                RETURNING t.object_type, t.object_id, t.relation, t.user_value
                """, connection, transaction);
            AddTupleArrays(delete, storeId, deletes);
            var deleted = await ReadKeysAsync(delete, cancellationToken);
            if (!ignoreMissing && deletes.FirstOrDefault(t => !deleted.Contains(t)) is { } missing)
            {
                throw new AuthorizationException(AuthorizationErrorCode.WriteFailedDueToInvalidInput, $"cannot delete a tuple which does not exist: '{missing}'");
            }
        }

        if (writes.Count > 0)
        {
            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO policy_tuples (store_id, object_type, object_id, relation, user_value, user_kind)
                SELECT @store, w.object_type, w.object_id, w.relation, w.user_value, w.user_kind
                FROM unnest(@types, @ids, @relations, @users, @kinds) AS w(object_type, object_id, relation, user_value, user_kind)
                ON CONFLICT DO NOTHING
                RETURNING object_type, object_id, relation, user_value
                """, connection, transaction);
            AddTupleArrays(insert, storeId, writes);
            insert.Parameters.AddWithValue("kinds", writes.Select(t => UserKind(t.User)).ToArray());
            var inserted = await ReadKeysAsync(insert, cancellationToken);
            if (!ignoreDuplicates && writes.FirstOrDefault(t => !inserted.Contains(t)) is { } existing)
            {
                throw new AuthorizationException(AuthorizationErrorCode.WriteFailedDueToInvalidInput, $"cannot write a tuple which already exists: '{existing}'");
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>One page of the tuples matching the filter, in (object, relation, user) order.</summary>
    public async Task<TuplePage> ReadAsync(string storeId, TupleFilter filter, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var after = DecodeToken(continuationToken);
        var sql = new StringBuilder("SELECT object_type, object_id, relation, user_value, written_at FROM policy_tuples WHERE store_id = @store");
        await using var command = dataSource.CreateCommand();
        command.Parameters.AddWithValue("store", storeId);
        if (!string.IsNullOrEmpty(filter.Object))
        {
            var (type, id) = TupleFormat.SplitObject(filter.Object);
            sql.Append(" AND object_type = @type");
            command.Parameters.AddWithValue("type", type);
            if (id.Length > 0)
            {
                sql.Append(" AND object_id = @id");
                command.Parameters.AddWithValue("id", id);
            }
        }

        if (!string.IsNullOrEmpty(filter.Relation))
        {
            sql.Append(" AND relation = @relation");
            command.Parameters.AddWithValue("relation", filter.Relation);
        }

        if (!string.IsNullOrEmpty(filter.User))
        {
            sql.Append(" AND user_value = @user");
            command.Parameters.AddWithValue("user", filter.User);
        }

        if (after is { Length: 4 })
        {
            sql.Append(" AND (object_type, object_id, relation, user_value) > (@after_type, @after_id, @after_relation, @after_user)");
            command.Parameters.AddWithValue("after_type", after[0]);
            command.Parameters.AddWithValue("after_id", after[1]);
            command.Parameters.AddWithValue("after_relation", after[2]);
            command.Parameters.AddWithValue("after_user", after[3]);
        }

        // One row more than the page tells whether another page follows.
        sql.Append(" ORDER BY object_type, object_id, relation, user_value LIMIT @limit");
        command.Parameters.AddWithValue("limit", pageSize + 1);
        command.CommandText = sql.ToString();
        var rows = new List<(string Type, string Id, string Relation, string User, DateTime At)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTime>(4)));
            }
        }

        var page = rows.Take(pageSize).ToList();
        var token = rows.Count > pageSize ? EncodeToken([page[^1].Type, page[^1].Id, page[^1].Relation, page[^1].User]) : "";
        return new TuplePage(page.Select(r => new StoredTuple(new TupleKey($"{r.Type}:{r.Id}", r.Relation, r.User), r.At)).ToList(), token);
    }

    private static void AddTupleArrays(NpgsqlCommand command, string storeId, IReadOnlyList<TupleKey> tuples)
    {
        command.Parameters.AddWithValue("store", storeId);
        command.Parameters.AddWithValue("types", tuples.Select(t => TupleFormat.SplitObject(t.Object).Type).ToArray());
        command.Parameters.AddWithValue("ids", tuples.Select(t => TupleFormat.SplitObject(t.Object).Id).ToArray());
        command.Parameters.AddWithValue("relations", tuples.Select(t => t.Relation).ToArray());
        command.Parameters.AddWithValue("users", tuples.Select(t => t.User).ToArray());
    }

    private static async Task<HashSet<TupleKey>> ReadKeysAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var keys = new HashSet<TupleKey>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new TupleKey($"{reader.GetString(0)}:{reader.GetString(1)}", reader.GetString(2), reader.GetString(3)));
        }

        return keys;
    }

    private static string UserKind(string user) =>
        TupleFormat.IsTypedWildcard(user) ? "w" : user.Contains('#', StringComparison.Ordinal) ? "u" : "o";

    private static string EncodeToken(string[] lastKey) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(lastKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string[]? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            return JsonSerializer.Deserialize<string[]>(Convert.FromBase64String(base64)) is { Length: 4 } key
                ? key
                : throw InvalidToken();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw InvalidToken();
        }
    }

    private static AuthorizationException InvalidToken() =>
        new(AuthorizationErrorCode.InvalidContinuationToken, "invalid continuation token");
}
