namespace Mesh.Policy.Domain;

/// <summary>
/// Whether relationship tuples fit a model, with OpenFGA's rules: well-formed object, relation and user;
/// defined types and relations; the relation's type restrictions; plain objects only on tupleset relations.
/// </summary>
public static class TupleValidator
{
    /// <summary>
    /// Validates the tuples of one Write request. Throws <see cref="AuthorizationErrorCode.ValidationError"/> for a tuple
    /// the model does not allow and <see cref="AuthorizationErrorCode.DuplicateTupleInWrite"/> when a tuple appears twice.
    /// </summary>
    public static void ValidateWrites(TypeSystem typeSystem, IReadOnlyList<TupleKey> writes)
    {
        ArgumentNullException.ThrowIfNull(typeSystem);
        ArgumentNullException.ThrowIfNull(writes);
        var seen = new HashSet<TupleKey>();
        foreach (var tuple in writes)
        {
            if (FindWriteError(typeSystem, tuple) is { } error)
            {
                throw new AuthorizationException(AuthorizationErrorCode.ValidationError, $"invalid tuple '{tuple}': {error}");
            }

            if (!seen.Add(tuple))
            {
                throw new AuthorizationException(AuthorizationErrorCode.DuplicateTupleInWrite, $"duplicate tuple in write: '{tuple}'");
            }
        }
    }

    /// <summary>
    /// Validates a whole Write request: at most <paramref name="maxTuples"/> tuples in all (code 2053), every write
    /// allowed by the model, every delete well-formed (a tuple written under an earlier model can still be deleted),
    /// and no tuple twice across writes and deletes (code 2004).
    /// </summary>
    public static void ValidateWriteRequest(TypeSystem typeSystem, IReadOnlyList<TupleKey> writes, IReadOnlyList<TupleKey> deletes, int maxTuples)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(deletes);
        if (writes.Count + deletes.Count > maxTuples)
        {
            throw new AuthorizationException(
                AuthorizationErrorCode.ExceededEntityLimit,
                $"the number of write operations ({writes.Count + deletes.Count}) exceeds the allowed limit of {maxTuples}");
        }

        ValidateWrites(typeSystem, writes);
        var seen = new HashSet<TupleKey>(writes);
        foreach (var tuple in deletes)
        {
            if (!TupleFormat.IsValidObject(tuple.Object) || !TupleFormat.IsValidRelation(tuple.Relation) || !TupleFormat.IsValidUser(tuple.User))
            {
                throw new AuthorizationException(AuthorizationErrorCode.ValidationError, $"invalid tuple '{tuple}': malformed object, relation or user");
            }

            if (!seen.Add(tuple))
            {
                throw new AuthorizationException(AuthorizationErrorCode.DuplicateTupleInWrite, $"duplicate tuple in write: '{tuple}'");
            }
        }
    }

    /// <summary>Validates contextual tuples of a query; a tuple the model does not allow is <see cref="AuthorizationErrorCode.InvalidTuple"/>.</summary>
    public static void ValidateContextualTuples(TypeSystem typeSystem, IReadOnlyList<TupleKey>? tuples)
    {
        ArgumentNullException.ThrowIfNull(typeSystem);
        foreach (var tuple in tuples ?? [])
        {
            if (FindTupleError(typeSystem, tuple) is { } error)
            {
                throw new AuthorizationException(AuthorizationErrorCode.InvalidTuple, $"invalid tuple '{tuple}': {error}");
            }
        }
    }

    /// <summary>Why <paramref name="tuple"/> may not be written, or null when it may.</summary>
    public static string? FindWriteError(TypeSystem typeSystem, TupleKey tuple)
    {
        ArgumentNullException.ThrowIfNull(tuple);
        return $"{tuple.Object}#{tuple.Relation}" == tuple.User
            ? "cannot write a tuple that is implicit (a userset is always related to itself)"
            : FindTupleError(typeSystem, tuple);
    }

    /// <summary>
    /// Whether a stored tuple still fits the model; tuples written under an earlier model that no longer fit
    /// are ignored by evaluation, as in OpenFGA.
    /// </summary>
    internal static bool IsValidForRead(TypeSystem typeSystem, TupleKey tuple) => FindRestrictionError(typeSystem, tuple) is null;

    /// <summary>Why the user, object or relation of a request is malformed or undefined, or null.</summary>
    internal static string? FindUserObjectRelationError(TypeSystem typeSystem, TupleKey tuple) =>
        FindUserError(typeSystem, tuple.User) ?? FindObjectError(typeSystem, tuple.Object) ?? FindRelationError(typeSystem, tuple);

    /// <summary>Why a user is malformed or refers to an undefined type or relation, or null.</summary>
    internal static string? FindUserError(TypeSystem typeSystem, string user)
    {
        if (!TupleFormat.IsValidUser(user))
        {
            return "the 'user' field must be an object (e.g. document:1), an 'object#relation' or a typed wildcard (e.g. group:*)";
        }

        var (userObject, userRelation) = TupleFormat.SplitUserset(user);
        var userType = TupleFormat.SplitObject(userObject).Type;
        if (!typeSystem.HasType(userType))
        {
            return $"type '{userType}' not found";
        }

        return userRelation.Length > 0 && typeSystem.FindRelation(userType, userRelation) is null
            ? $"relation '{userType}#{userRelation}' not found"
            : null;
    }

    private static string? FindTupleError(TypeSystem typeSystem, TupleKey tuple) =>
        FindUserObjectRelationError(typeSystem, tuple) ?? FindRestrictionError(typeSystem, tuple);

    private static string? FindObjectError(TypeSystem typeSystem, string value)
    {
        if (!TupleFormat.IsValidObject(value))
        {
            return "invalid 'object' field format";
        }

        var (type, id) = TupleFormat.SplitObject(value);
        if (id == TupleFormat.Wildcard)
        {
            return "the 'object' field cannot reference a typed wildcard";
        }

        return typeSystem.HasType(type) ? null : $"type '{type}' not found";
    }

    private static string? FindRelationError(TypeSystem typeSystem, TupleKey tuple)
    {
        if (!TupleFormat.IsValidRelation(tuple.Relation))
        {
            return "the 'relation' field is malformed";
        }

        var type = TupleFormat.SplitObject(tuple.Object).Type;
        return typeSystem.FindRelation(type, tuple.Relation) is null ? $"relation '{type}#{tuple.Relation}' not found" : null;
    }

    private static string? FindRestrictionError(TypeSystem typeSystem, TupleKey tuple)
    {
        var objectType = TupleFormat.SplitObject(tuple.Object).Type;
        var relation = typeSystem.FindRelation(objectType, tuple.Relation);
        if (relation is null)
        {
            return $"relation '{objectType}#{tuple.Relation}' not found";
        }

        var user = tuple.User;
        var (userObject, userRelation) = TupleFormat.SplitUserset(user);
        var userType = TupleFormat.SplitObject(userObject).Type;
        var isWildcard = TupleFormat.IsTypedWildcard(user);
        if (typeSystem.IsTuplesetRelation(objectType, tuple.Relation) && (isWildcard || !TupleFormat.IsValidObject(user)))
        {
            return $"'{objectType}#{tuple.Relation}' is a tupleset relation: its user must be a plain object";
        }

        var matching = relation.DirectlyRelatedUserTypes
            .Where(r => r.Type == userType
                && r.Wildcard == isWildcard
                && r.Relation == (userRelation.Length > 0 ? userRelation : null))
            .ToList();
        if (matching.Count == 0)
        {
            var shown = userRelation.Length > 0 ? $"{userType}#{userRelation}" : isWildcard ? user : userType;
            return $"'{shown}' is not an allowed type restriction for '{objectType}#{tuple.Relation}'";
        }

        return matching.Any(r => r.Condition is null)
            ? null
            : $"'{objectType}#{tuple.Relation}' only allows '{userType}' with a condition; conditional relationship tuples are not supported";
    }
}
