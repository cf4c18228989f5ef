namespace Mesh.Policy.Domain;

/// <summary>
/// Resolves checks for one request with OpenFGA's semantics: a path that returns to a check already in
/// progress is a cycle, which counts as "not allowed" and also denies an intersection or an exclusion it
/// reaches; nested userset and tuple-to-userset steps are limited in depth; unions and intersections stop
/// at the first deciding child. Answers not touched by a cycle are remembered for the rest of the request.
/// </summary>
internal sealed class CheckResolver(TypeSystem typeSystem, ITupleReader reader, EvaluatorOptions options, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, Outcome> known = new(StringComparer.Ordinal);

    public TypeSystem TypeSystem => typeSystem;

    public ITupleReader Reader => reader;

    public Task<Outcome> CheckAsync(string @object, string relation, string user) => CheckAsync(@object, relation, user, null, 0);

    public static AuthorizationException TooComplex(int maxDepth) =>
        new(AuthorizationErrorCode.ResolutionTooComplex, $"resolution needed more than {maxDepth} nested steps; check the model for deep nesting");

    private async Task<Outcome> CheckAsync(string @object, string relation, string user, VisitedPath? path, int depth)
    {
        var key = $"{@object}#{relation}@{user}";
        if (known.TryGetValue(key, out var remembered))
        {
            return remembered;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (depth >= options.MaxResolutionDepth)
        {
            throw TooComplex(options.MaxResolutionDepth);
        }

        if (path?.Contains(key) == true)
        {
            return Outcome.Cycle;
        }

        var outcome = await ResolveAsync(@object, relation, user, new VisitedPath(key, path), depth);
        if (!outcome.CycleDetected)
        {
            known[key] = outcome;
        }

        return outcome;
    }

    private async Task<Outcome> ResolveAsync(string @object, string relation, string user, VisitedPath path, int depth)
    {
        if ($"{@object}#{relation}" == user)
        {
            return Outcome.Granted($"{user} is itself");
        }

        var objectType = TupleFormat.SplitObject(@object).Type;
        var definition = typeSystem.FindRelation(objectType, relation);
        if (definition is null || !typeSystem.PathExists(user, objectType, relation))
        {
            return Outcome.Denied;
        }

        return await RewriteAsync(new Target(@object, definition, user), definition.Rewrite, path, depth);
    }

    private Task<Outcome> RewriteAsync(Target target, Userset rewrite, VisitedPath path, int depth) => rewrite switch
    {
        DirectUserset => DirectAsync(target, path, depth),
        ComputedUserset computed => CheckAsync(target.Object, computed.Relation, target.User, path, depth),
        TupleToUserset ttu => TupleToUsersetAsync(target, ttu, path, depth),
        UnionUserset union => AnyAsync(union.Children.Select(child => (Func<Task<Outcome>>)(() => RewriteAsync(target, child, path, depth)))),
        IntersectionUserset intersection => AllAsync(intersection.Children.Select(child => (Func<Task<Outcome>>)(() => RewriteAsync(target, child, path, depth)))),
        DifferenceUserset difference => ExceptAsync(
            () => RewriteAsync(target, difference.Base, path, depth),
            () => RewriteAsync(target, difference.Subtract, path, depth)),
        _ => throw new ArgumentOutOfRangeException(nameof(rewrite), rewrite, "unknown rewrite"),
    };

    private Task<Outcome> DirectAsync(Target target, VisitedPath path, int depth)
    {
        var restrictions = target.Relation.DirectlyRelatedUserTypes;
        var (userObject, userRelation) = TupleFormat.SplitUserset(target.User);
        var userType = TupleFormat.SplitObject(userObject).Type;
        var isUserset = userRelation.Length > 0;
        var ways = new List<Func<Task<Outcome>>>();
        if (restrictions.Any(r => r.Type == userType && !r.Wildcard && r.Relation == (isUserset ? userRelation : null)))
        {
            ways.Add(() => StoredTupleAsync(target, target.User));
        }

        if (!isUserset && restrictions.Any(r => r.Type == userType && r.Wildcard))
        {
            ways.Add(() => StoredTupleAsync(target, $"{userType}:{TupleFormat.Wildcard}"));
        }

        if (restrictions.Any(r => r.Relation is not null))
        {
            ways.Add(() => UsersetTuplesAsync(target, path, depth));
        }

        return AnyAsync(ways);
    }

    private async Task<Outcome> StoredTupleAsync(Target target, string user)
    {
        var tuple = await reader.ReadUserTupleAsync(target.Object, target.Relation.Name, user, cancellationToken);
        return tuple is not null && TupleValidator.IsValidForRead(typeSystem, tuple) ? Outcome.Granted(tuple.ToString()) : Outcome.Denied;
    }

    private async Task<Outcome> UsersetTuplesAsync(Target target, VisitedPath path, int depth)
    {
        var tuples = await reader.ReadUsersetTuplesAsync(target.Object, target.Relation.Name, cancellationToken);
        var ways = tuples
            .Where(t => TupleFormat.IsValidUserset(t.User) && TupleValidator.IsValidForRead(typeSystem, t))
            .Select(t => (Func<Task<Outcome>>)(async () =>
            {
                var (usersetObject, usersetRelation) = TupleFormat.SplitUserset(t.User);
                return (await CheckAsync(usersetObject, usersetRelation, target.User, path, depth + 1)).Via(t);
            }));
        return await AnyAsync(ways);
    }

    private async Task<Outcome> TupleToUsersetAsync(Target target, TupleToUserset ttu, VisitedPath path, int depth)
    {
        var tuples = await reader.ReadAsync(target.Object, ttu.Tupleset, cancellationToken);
        var ways = tuples
            .Where(t => TupleValidator.IsValidForRead(typeSystem, t)
                && typeSystem.FindRelation(TupleFormat.SplitObject(t.User).Type, ttu.ComputedRelation) is not null)
            .Select(t => (Func<Task<Outcome>>)(async () =>
                (await CheckAsync(t.User, ttu.ComputedRelation, target.User, path, depth + 1)).Via(t)));
        return await AnyAsync(ways);
    }

    private static async Task<Outcome> AnyAsync(IEnumerable<Func<Task<Outcome>>> ways)
    {
        AuthorizationException? failure = null;
        var cycle = false;
        foreach (var way in ways)
        {
            Outcome outcome;
            try
            {
                outcome = await way();
            }
            catch (AuthorizationException e)
            {
                // Another way may still allow it; the failure only stands if none does.
                failure = e;
                continue;
            }

            if (outcome.Allowed)
            {
                return outcome;
            }

            cycle |= outcome.CycleDetected;
        }

        return failure is not null ? throw failure : cycle ? Outcome.Cycle : Outcome.Denied;
    }

    private static async Task<Outcome> AllAsync(IEnumerable<Func<Task<Outcome>>> ways)
    {
        AuthorizationException? failure = null;
        var witnesses = new List<string>();
        foreach (var way in ways)
        {
            Outcome outcome;
            try
            {
                outcome = await way();
            }
            catch (AuthorizationException e)
            {
                // A later definite "no" still decides the intersection.
                failure ??= e;
                continue;
            }

            if (!outcome.Allowed)
            {
                return outcome;
            }

            witnesses.Add(outcome.Witness);
        }

        return failure is not null ? throw failure : Outcome.Granted(string.Join(" and ", witnesses));
    }

    private static async Task<Outcome> ExceptAsync(Func<Task<Outcome>> baseWay, Func<Task<Outcome>> subtractWay)
    {
        AuthorizationException? failure = null;
        var granted = Outcome.Denied;
        try
        {
            granted = await baseWay();
            if (!granted.Allowed)
            {
                return granted;
            }
        }
        catch (AuthorizationException e)
        {
            failure = e;
        }

        try
        {
            var subtracted = await subtractWay();
            if (subtracted.Allowed || subtracted.CycleDetected)
            {
                return subtracted.CycleDetected ? Outcome.Cycle : Outcome.Denied;
            }
        }
        catch (AuthorizationException e)
        {
            failure ??= e;
        }

        return failure is not null ? throw failure : granted;
    }

    private sealed record Target(string Object, RelationDefinition Relation, string User);

    /// <summary>The checks in progress on the current path, innermost first.</summary>
    private sealed record VisitedPath(string Key, VisitedPath? Parent)
    {
        public bool Contains(string key)
        {
            for (var node = this; node is not null; node = node.Parent)
            {
                if (node.Key == key)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>The result of resolving one check: allowed with the tuples that grant it, denied, or denied because of a cycle.</summary>
internal readonly record struct Outcome(bool Allowed, bool CycleDetected, string Witness)
{
    public static Outcome Denied { get; } = new(false, false, string.Empty);

    public static Outcome Cycle { get; } = new(false, true, string.Empty);

    public static Outcome Granted(string witness) => new(true, false, witness);

    public Outcome Via(TupleKey tuple) => Allowed ? Granted($"{tuple} -> {Witness}") : this;
}
