using Mesh.Policy.Domain;
using Npgsql;

namespace Mesh.Policy.Storage;

/// <summary>
/// The tuples of one store in PostgreSQL, read through the indexes of <c>policy_tuples</c>: the primary key
/// (store, object type, object id, relation) for Check and ListUsers, <c>policy_tuples_by_user</c> for ListObjects.
/// Contextual tuples are overlaid by the evaluator.
/// </summary>
public sealed class PostgresTupleReader(NpgsqlDataSource dataSource, string storeId) : ITupleReader
{
    public async Task<TupleKey?> ReadUserTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken)
    {
        var (type, id) = TupleFormat.SplitObject(@object);
        await using var command = dataSource.CreateCommand(
            "SELECT 1 FROM policy_tuples WHERE store_id = @store AND object_type = @type AND object_id = @id AND relation = @relation AND user_value = @user");
        command.Parameters.AddWithValue("store", storeId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("relation", relation);
        command.Parameters.AddWithValue("user", user);
        return await command.ExecuteScalarAsync(cancellationToken) is null ? null : new TupleKey(@object, relation, user);
    }

    public Task<IReadOnlyList<TupleKey>> ReadAsync(string @object, string relation, CancellationToken cancellationToken) =>
        ReadObjectRelationAsync(@object, relation, usersetsOnly: false, cancellationToken);

    public Task<IReadOnlyList<TupleKey>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken) =>
        ReadObjectRelationAsync(@object, relation, usersetsOnly: true, cancellationToken);

    public async Task<IReadOnlyList<TupleKey>> ReadStartingWithUserAsync(string objectType, string relation, string user, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT object_id FROM policy_tuples WHERE store_id = @store AND user_value = @user AND relation = @relation AND object_type = @type");
        command.Parameters.AddWithValue("store", storeId);
        command.Parameters.AddWithValue("user", user);
        command.Parameters.AddWithValue("relation", relation);
        command.Parameters.AddWithValue("type", objectType);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tuples = new List<TupleKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tuples.Add(new TupleKey($"{objectType}:{reader.GetString(0)}", relation, user));
        }

        return tuples;
    }

    private async Task<IReadOnlyList<TupleKey>> ReadObjectRelationAsync(string @object, string relation, bool usersetsOnly, CancellationToken cancellationToken)
    {
        var (type, id) = TupleFormat.SplitObject(@object);
        await using var command = dataSource.CreateCommand(
            "SELECT user_value FROM policy_tuples WHERE store_id = @store AND object_type = @type AND object_id = @id AND relation = @relation"
            + (usersetsOnly ? " AND user_kind <> 'o'" : ""));
        command.Parameters.AddWithValue("store", storeId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("relation", relation);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tuples = new List<TupleKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tuples.Add(new TupleKey(@object, relation, reader.GetString(0)));
        }

        return tuples;
    }
}
