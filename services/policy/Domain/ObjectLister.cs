namespace Mesh.Policy.Domain;

/// <summary>
/// ListObjects: walks the model graph backwards from the user (reverse expansion) through tuples to every
/// object that might grant the relation, then confirms each candidate with a check, which settles
/// intersections, exclusions and cycles exactly as Check does.
/// </summary>
internal sealed class ObjectLister(CheckResolver resolver, EvaluatorOptions options, CancellationToken cancellationToken)
{
    private readonly HashSet<string> reached = new(StringComparer.Ordinal);
    private readonly Queue<(string Object, string Relation)> pending = new();

    public async Task<IReadOnlyList<string>> ListAsync(string objectType, string relation, string user)
    {
        var (userObject, userRelation) = TupleFormat.SplitUserset(user);
        if (userRelation.Length > 0)
        {
            Reach(userObject, userRelation);
        }
        else
        {
            var userType = TupleFormat.SplitObject(user).Type;
            await FollowDirectGrantsAsync(userType, user);
            await FollowDirectGrantsAsync($"{userType}:{TupleFormat.Wildcard}", $"{userType}:{TupleFormat.Wildcard}");
        }

        while (pending.TryDequeue(out var holder))
        {
            await ExpandAsync(holder.Object, holder.Relation);
        }

        var candidates = reached
            .Select(TupleFormat.SplitUserset)
            .Where(r => r.Relation == relation && TupleFormat.SplitObject(r.Object).Type == objectType)
            .Select(r => r.Object)
            .Order(StringComparer.Ordinal);
        var objects = new List<string>();
        foreach (var candidate in candidates)
        {
            if (objects.Count >= options.MaxListResults)
            {
                break;
            }

            if ((await resolver.CheckAsync(candidate, relation, user)).Allowed)
            {
                objects.Add(candidate);
            }
        }

        return objects;
    }

    private async Task ExpandAsync(string @object, string relation)
    {
        var label = $"{TupleFormat.SplitObject(@object).Type}#{relation}";
        foreach (var edge in resolver.TypeSystem.GrantsFrom(label))
        {
            switch (edge.Kind)
            {
                case GrantKind.Direct:
                    await FollowTuplesAsync(edge, edge.TargetRelation, $"{@object}#{relation}");
                    break;
                case GrantKind.Computed:
                    Reach(@object, edge.TargetRelation);
                    break;
                case GrantKind.TupleToUserset:
                    await FollowTuplesAsync(edge, edge.Tupleset!, @object);
                    break;
            }
        }
    }

    private async Task FollowDirectGrantsAsync(string label, string user)
    {
        foreach (var edge in resolver.TypeSystem.GrantsFrom(label).Where(e => e.Kind == GrantKind.Direct))
        {
            await FollowTuplesAsync(edge, edge.TargetRelation, user);
        }
    }

    private async Task FollowTuplesAsync(GrantEdge edge, string tupleRelation, string user)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var tuples = await resolver.Reader.ReadStartingWithUserAsync(edge.TargetType, tupleRelation, user, cancellationToken);
        foreach (var tuple in tuples.Where(t => TupleValidator.IsValidForRead(resolver.TypeSystem, t)))
        {
            Reach(tuple.Object, edge.TargetRelation);
        }
    }

    private void Reach(string @object, string relation)
    {
        if (reached.Add($"{@object}#{relation}"))
        {
            pending.Enqueue((@object, relation));
        }
    }
}
