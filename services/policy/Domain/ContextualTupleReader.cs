namespace Mesh.Policy.Domain;

/// <summary>Stored tuples overlaid with a request's contextual tuples, which count as if they were written.</summary>
public sealed class ContextualTupleReader(ITupleReader stored, IReadOnlyList<TupleKey> contextual) : ITupleReader
{
    private readonly InMemoryTupleStore overlay = new(contextual);

    /// <inheritdoc />
    public async Task<TupleKey?> ReadUserTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken) =>
        await overlay.ReadUserTupleAsync(@object, relation, user, cancellationToken)
        ?? await stored.ReadUserTupleAsync(@object, relation, user, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TupleKey>> ReadAsync(string @object, string relation, CancellationToken cancellationToken) =>
        Merge(
            await overlay.ReadAsync(@object, relation, cancellationToken),
            await stored.ReadAsync(@object, relation, cancellationToken));

    /// <inheritdoc />
    public async Task<IReadOnlyList<TupleKey>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken) =>
        Merge(
            await overlay.ReadUsersetTuplesAsync(@object, relation, cancellationToken),
            await stored.ReadUsersetTuplesAsync(@object, relation, cancellationToken));

    /// <inheritdoc />
    public async Task<IReadOnlyList<TupleKey>> ReadStartingWithUserAsync(string objectType, string relation, string user, CancellationToken cancellationToken) =>
        Merge(
            await overlay.ReadStartingWithUserAsync(objectType, relation, user, cancellationToken),
            await stored.ReadStartingWithUserAsync(objectType, relation, user, cancellationToken));

    private static IReadOnlyList<TupleKey> Merge(IReadOnlyList<TupleKey> first, IReadOnlyList<TupleKey> second) =>
        first.Count == 0 ? second : second.Count == 0 ? first : first.Concat(second).Distinct().ToList();
}
