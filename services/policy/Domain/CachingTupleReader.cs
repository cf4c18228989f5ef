namespace Mesh.Policy.Domain;

/// <summary>Remembers every read for the lifetime of one request, so repeated sub-problems read the store once.</summary>
internal sealed class CachingTupleReader(ITupleReader inner) : ITupleReader
{
    private readonly Dictionary<string, Task<TupleKey?>> userTuples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<IReadOnlyList<TupleKey>>> lists = new(StringComparer.Ordinal);

    public Task<TupleKey?> ReadUserTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken)
    {
        var key = $"{@object}#{relation}@{user}";
        if (!userTuples.TryGetValue(key, out var read))
        {
            userTuples[key] = read = inner.ReadUserTupleAsync(@object, relation, user, cancellationToken);
        }

        return read;
    }

    public Task<IReadOnlyList<TupleKey>> ReadAsync(string @object, string relation, CancellationToken cancellationToken) =>
        Remember($"all|{@object}#{relation}", () => inner.ReadAsync(@object, relation, cancellationToken));

    public Task<IReadOnlyList<TupleKey>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken) =>
        Remember($"usersets|{@object}#{relation}", () => inner.ReadUsersetTuplesAsync(@object, relation, cancellationToken));

    public Task<IReadOnlyList<TupleKey>> ReadStartingWithUserAsync(string objectType, string relation, string user, CancellationToken cancellationToken) =>
        Remember($"user|{objectType}#{relation}@{user}", () => inner.ReadStartingWithUserAsync(objectType, relation, user, cancellationToken));

    private Task<IReadOnlyList<TupleKey>> Remember(string key, Func<Task<IReadOnlyList<TupleKey>>> read)
    {
        if (!lists.TryGetValue(key, out var result))
        {
            lists[key] = result = read();
        }

        return result;
    }
}
