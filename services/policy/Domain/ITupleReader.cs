namespace Mesh.Policy.Domain;

/// <summary>
/// The reads evaluation needs from a tuple store. Implementations return every stored tuple that matches,
/// whether or not it fits the current model; the evaluator filters.
/// </summary>
public interface ITupleReader
{
    /// <summary>The tuple <c>object#relation@user</c> if it is stored, else null.</summary>
    Task<TupleKey?> ReadUserTupleAsync(string @object, string relation, string user, CancellationToken cancellationToken);

    /// <summary>All tuples on <c>object#relation</c>.</summary>
    Task<IReadOnlyList<TupleKey>> ReadAsync(string @object, string relation, CancellationToken cancellationToken);

    /// <summary>The tuples on <c>object#relation</c> whose user is a userset (<c>group:x#member</c>) or a typed wildcard (<c>user:*</c>).</summary>
    Task<IReadOnlyList<TupleKey>> ReadUsersetTuplesAsync(string @object, string relation, CancellationToken cancellationToken);

    /// <summary>
    /// The tuples whose user is exactly <paramref name="user"/>, whose relation is <paramref name="relation"/> and whose
    /// object has type <paramref name="objectType"/> (reverse expansion for ListObjects).
    /// </summary>
    Task<IReadOnlyList<TupleKey>> ReadStartingWithUserAsync(string objectType, string relation, string user, CancellationToken cancellationToken);
}
