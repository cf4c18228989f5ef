namespace Mesh.Policy.Domain;

/// <summary>
/// Tuples held in memory with the indexes <see cref="ITupleReader"/> needs. Used for contextual tuples and
/// for tests; safe for concurrent use.
/// </summary>
public sealed class InMemoryTupleStore : ITupleReader
{
    private readonly Lock gate = new();
    private readonly HashSet<TupleKey> tuples = [];
    private readonly Dictionary<string, List<TupleKey>> byObjectRelation = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TupleKey>> byUser = new(StringComparer.Ordinal);

    /// <summary>A store holding <paramref name="initial"/> (duplicates are kept once).</summary>
    public InMemoryTupleStore(IEnumerable<TupleKey>? initial = null)
    {
        foreach (var tuple in initial ?? [])
        {
            Add(tuple);
        }
    }

    /// <summary>Whether the tuple is stored.</summary>
    public bool Contains(TupleKey tuple)
    {
        lock (gate)
        {
            return tuples.Contains(tuple);
        }
    }

    /// <summary>Stores the tuple; false when it was already stored.</summary>
    public bool Add(TupleKey tuple)
    {
        ArgumentNullException.ThrowIfNull(tuple);
        lock (gate)
        {
            if (!tuples.Add(tuple))
            {
                return false;
            }

            Index(byObjectRelation, ObjectRelationKey(tuple.Object, tuple.Relation)).Add(tuple);
            Index(byUser, UserKey(TupleFormat.SplitObject(tuple.Object).Type, tuple.Relation, tuple.User)).Add(tuple);
            return true;
        }
    }

    /// <summary>Removes the tuple; false when it was not stored.</summary>
    public bool Remove(TupleKey tuple)
    {
        ArgumentNullException.ThrowIfNull(tuple);
        lock (gate)
        {
            if (!tuples.Remove(tuple))
            {
                return false;
            }

            byObjectRelation[ObjectRelationKey(tuple.Object, tuple.Relation)].Remove(tuple);
            byUser[UserKey(TupleFormat.SplitObject(tuple.Object).Type, tuple.Relation, tuple.User)].Remove(tuple);
            return true;
        }
    }

    /// <inheritdoc />
    public Task<TupleKey?> ReadUserTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken)
    {
        var key = new TupleKey(@object, relation, user);
        lock (gate)
        {
            return Task.FromResult(tuples.Contains(key) ? key : null);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TupleKey>> ReadAsync(string @object, string relation, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TupleKey>>(Snapshot(byObjectRelation, ObjectRelationKey(@object, relation), _ => true));

    /// <inheritdoc />
    public Task<IReadOnlyList<TupleKey>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TupleKey>>(Snapshot(
            byObjectRelation,
            ObjectRelationKey(@object, relation),
            t => t.User.Contains('#', StringComparison.Ordinal) || TupleFormat.IsTypedWildcard(t.User)));

    /// <inheritdoc />
    public Task<IReadOnlyList<TupleKey>> ReadStartingWithUserAsync(string objectType, string relation, string user, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TupleKey>>(Snapshot(byUser, UserKey(objectType, relation, user), _ => true));

    private List<TupleKey> Snapshot(Dictionary<string, List<TupleKey>> index, string key, Func<TupleKey, bool> filter)
    {
        lock (gate)
        {
            return index.TryGetValue(key, out var found) ? found.Where(filter).ToList() : [];
        }
    }

    private static List<TupleKey> Index(Dictionary<string, List<TupleKey>> index, string key)
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        return list;
    }

    private static string ObjectRelationKey(string @object, string relation) => $"{@object}#{relation}";

    private static string UserKey(string objectType, string relation, string user) => $"{objectType}#{relation}@{user}";
}
