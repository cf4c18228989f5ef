namespace Mesh.Policy.Domain;

/// <summary>
/// ListUsers: expands the object's relation forwards through tuples, collecting every user that matches a
/// filter anywhere in the expansion (subtracted and intersected branches included), then keeps the
/// candidates a check confirms, so exclusions, intersections, wildcards and cycles behave as in Check.
/// </summary>
internal sealed class UserLister(CheckResolver resolver, EvaluatorOptions options, IReadOnlyList<UserTypeFilter> filters, CancellationToken cancellationToken)
{
    private readonly HashSet<string> expanded = new(StringComparer.Ordinal);
    private readonly HashSet<string> candidates = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<string>> ListAsync(string @object, string relation)
    {
        await ExpandAsync(@object, relation, 0);
        var users = new List<string>();
        foreach (var candidate in candidates.Order(StringComparer.Ordinal))
        {
            if (users.Count >= options.MaxListResults)
            {
                break;
            }

            if ((await resolver.CheckAsync(@object, relation, candidate)).Allowed)
            {
                users.Add(candidate);
            }
        }

        return users;
    }

    private async Task ExpandAsync(string @object, string relation, int depth)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (depth >= options.MaxResolutionDepth)
        {
            throw CheckResolver.TooComplex(options.MaxResolutionDepth);
        }

        if (!expanded.Add($"{@object}#{relation}"))
        {
            return;
        }

        var type = TupleFormat.SplitObject(@object).Type;
        if (filters.Any(f => f.Type == type && f.Relation == relation))
        {
            candidates.Add($"{@object}#{relation}");
        }

        if (resolver.TypeSystem.FindRelation(type, relation) is { } definition)
        {
            await ExpandRewriteAsync(@object, relation, definition.Rewrite, depth + 1);
        }
    }

    private async Task ExpandRewriteAsync(string @object, string relation, Userset rewrite, int depth)
    {
        switch (rewrite)
        {
            case DirectUserset:
                foreach (var tuple in await ValidTuplesAsync(@object, relation))
                {
                    var (userObject, userRelation) = TupleFormat.SplitUserset(tuple.User);
                    if (userRelation.Length > 0)
                    {
                        await ExpandAsync(userObject, userRelation, depth);
                    }
                    else if (filters.Any(f => f.Type == TupleFormat.SplitObject(userObject).Type))
                    {
                        candidates.Add(tuple.User);
                    }
                }

                break;
            case ComputedUserset computed:
                await ExpandAsync(@object, computed.Relation, depth);
                break;
            case TupleToUserset ttu:
                foreach (var tuple in await ValidTuplesAsync(@object, ttu.Tupleset))
                {
                    await ExpandAsync(tuple.User, ttu.ComputedRelation, depth);
                }

                break;
            case UnionUserset union:
                foreach (var child in union.Children)
                {
                    await ExpandRewriteAsync(@object, relation, child, depth);
                }

                break;
            case IntersectionUserset intersection:
                foreach (var child in intersection.Children)
                {
                    await ExpandRewriteAsync(@object, relation, child, depth);
                }

                break;
            case DifferenceUserset difference:
                await ExpandRewriteAsync(@object, relation, difference.Base, depth);
                await ExpandRewriteAsync(@object, relation, difference.Subtract, depth);
                break;
        }
    }

    private async Task<IEnumerable<TupleKey>> ValidTuplesAsync(string @object, string relation)
    {
        var tuples = await resolver.Reader.ReadAsync(@object, relation, cancellationToken);
        return tuples.Where(t => TupleValidator.IsValidForRead(resolver.TypeSystem, t));
    }
}
