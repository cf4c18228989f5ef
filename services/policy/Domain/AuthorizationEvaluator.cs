namespace Mesh.Policy.Domain;

/// <summary>
/// Answers OpenFGA's queries (Check, ListObjects, ListUsers) for one authorization model over the tuples of
/// one store. Pure computation over <see cref="ITupleReader"/>: no I/O of its own, no state between requests.
/// Failures are <see cref="AuthorizationException"/>s carrying OpenFGA's error codes.
/// </summary>
public sealed class AuthorizationEvaluator(TypeSystem typeSystem, ITupleReader tuples, EvaluatorOptions? options = null)
{
    private readonly EvaluatorOptions limits = options ?? EvaluatorOptions.Default;

    /// <summary>Whether the user has the relation on the object.</summary>
    public async Task<CheckResult> CheckAsync(CheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (TupleValidator.FindUserObjectRelationError(typeSystem, request.TupleKey) is { } error)
        {
            throw new AuthorizationException(AuthorizationErrorCode.ValidationError, $"invalid check '{request.TupleKey}': {error}");
        }

        TupleValidator.ValidateContextualTuples(typeSystem, request.ContextualTuples);
        var key = request.TupleKey;
        var outcome = await Resolver(request.ContextualTuples, cancellationToken).CheckAsync(key.Object, key.Relation, key.User);
        var resolution = outcome.Allowed ? outcome.Witness
            : outcome.CycleDetected ? "denied: the relation only resolves through a cycle"
            : "denied: no relationship grants it";
        return new CheckResult(outcome.Allowed, resolution);
    }

    /// <summary>The objects of a type the user has the relation on, ordered, at most <see cref="EvaluatorOptions.MaxListResults"/>.</summary>
    public Task<IReadOnlyList<string>> ListObjectsAsync(ListObjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TupleValidator.ValidateContextualTuples(typeSystem, request.ContextualTuples);
        RequireRelation(request.Type, request.Relation);
        if (TupleValidator.FindUserError(typeSystem, request.User) is { } error)
        {
            throw new AuthorizationException(AuthorizationErrorCode.ValidationError, $"invalid 'user' value '{request.User}': {error}");
        }

        var resolver = Resolver(request.ContextualTuples, cancellationToken);
        return new ObjectLister(resolver, limits, cancellationToken).ListAsync(request.Type, request.Relation, request.User);
    }

    /// <summary>
    /// The users matching the filters that have the relation on the object: objects (<c>user:anne</c>), typed
    /// wildcards (<c>user:*</c>) and usersets (<c>group:eng#member</c>), ordered, at most <see cref="EvaluatorOptions.MaxListResults"/>.
    /// </summary>
    public Task<IReadOnlyList<string>> ListUsersAsync(ListUsersRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TupleValidator.ValidateContextualTuples(typeSystem, request.ContextualTuples);
        if (request.UserFilters.Count == 0)
        {
            throw new AuthorizationException(AuthorizationErrorCode.ValidationError, "at least one user filter is required");
        }

        foreach (var filter in request.UserFilters)
        {
            if (!typeSystem.HasType(filter.Type))
            {
                throw new AuthorizationException(AuthorizationErrorCode.TypeNotFound, $"type '{filter.Type}' not found");
            }

            if (filter.Relation is not null && typeSystem.FindRelation(filter.Type, filter.Relation) is null)
            {
                throw new AuthorizationException(AuthorizationErrorCode.RelationNotFound, $"relation '{filter.Type}#{filter.Relation}' not found");
            }
        }

        if (!TupleFormat.IsValidObject(request.Object) || TupleFormat.IsTypedWildcard(request.Object))
        {
            throw new AuthorizationException(AuthorizationErrorCode.ValidationError, $"invalid object '{request.Object}'");
        }

        RequireRelation(TupleFormat.SplitObject(request.Object).Type, request.Relation);
        var resolver = Resolver(request.ContextualTuples, cancellationToken);
        return new UserLister(resolver, limits, request.UserFilters, cancellationToken).ListAsync(request.Object, request.Relation);
    }

    private void RequireRelation(string type, string relation)
    {
        if (!typeSystem.HasType(type))
        {
            throw new AuthorizationException(AuthorizationErrorCode.TypeNotFound, $"type '{type}' not found");
        }

        if (typeSystem.FindRelation(type, relation) is null)
        {
            throw new AuthorizationException(AuthorizationErrorCode.RelationNotFound, $"relation '{type}#{relation}' not found");
        }
    }

    private CheckResolver Resolver(IReadOnlyList<TupleKey>? contextualTuples, CancellationToken cancellationToken)
    {
        var reader = contextualTuples is { Count: > 0 } ? new ContextualTupleReader(tuples, contextualTuples) : tuples;
        return new CheckResolver(typeSystem, new CachingTupleReader(reader), limits, cancellationToken);
    }
}
