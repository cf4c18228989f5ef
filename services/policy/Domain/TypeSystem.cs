namespace Mesh.Policy.Domain;

/// <summary>
/// A validated authorization model with the lookups evaluation needs. Build one per model version with
/// <see cref="Create"/> and share it: it is immutable.
/// </summary>
public sealed class TypeSystem
{
    private readonly Dictionary<string, Dictionary<string, RelationDefinition>> types = new(StringComparer.Ordinal);
    private readonly HashSet<string> tuplesetRelations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> incoming = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> reachableFrom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<GrantEdge>> grantsBySource = new(StringComparer.Ordinal);

    private TypeSystem(AuthorizationModel model)
    {
        Model = model;
        foreach (var type in model.TypeDefinitions)
        {
            if (types.ContainsKey(type.Type))
            {
                continue;
            }

            var relations = new Dictionary<string, RelationDefinition>(StringComparer.Ordinal);
            foreach (var relation in type.Relations)
            {
                relations.TryAdd(relation.Name, relation);
            }

            types[type.Type] = relations;
        }

        foreach (var (typeName, relations) in types)
        {
            foreach (var relation in relations.Values)
            {
                IndexRewrite(typeName, relation, relation.Rewrite, granting: true);
            }
        }

        foreach (var label in types.SelectMany(t => t.Value.Keys.Select(r => $"{t.Key}#{r}")).ToList())
        {
            reachableFrom[label] = SourcesReaching(label);
        }
    }

    /// <summary>The model this type system was built from.</summary>
    public AuthorizationModel Model { get; }

    /// <summary>Validates the model with OpenFGA's rules and indexes it.</summary>
    /// <exception cref="AuthorizationException">The model is invalid (code 2056), naming the first broken rule.</exception>
    public static TypeSystem Create(AuthorizationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var typeSystem = new TypeSystem(model);
        ModelValidator.Validate(typeSystem);
        return typeSystem;
    }

    /// <summary>Whether the model defines <paramref name="type"/>.</summary>
    public bool HasType(string type) => types.ContainsKey(type);

    /// <summary>The relation <paramref name="relation"/> of <paramref name="type"/>, or null when either is undefined.</summary>
    public RelationDefinition? FindRelation(string type, string relation) =>
        types.TryGetValue(type, out var relations) && relations.TryGetValue(relation, out var definition) ? definition : null;

    /// <summary>Whether <c>type#relation</c> is the tupleset of some <c>x from relation</c> rewrite.</summary>
    public bool IsTuplesetRelation(string type, string relation) => tuplesetRelations.Contains($"{type}#{relation}");

    /// <summary>
    /// Whether the model has any path by which <paramref name="user"/> (object, wildcard or userset) could hold
    /// <paramref name="relation"/> on objects of <paramref name="objectType"/>; when not, the answer is "no" without
    /// reading tuples. Subtracted branches count as paths, as in OpenFGA.
    /// </summary>
    public bool PathExists(string user, string objectType, string relation)
    {
        var (userObject, userRelation) = TupleFormat.SplitUserset(user);
        var userType = TupleFormat.SplitObject(userObject).Type;
        var from = userRelation.Length > 0 ? $"{userType}#{userRelation}" : userType;
        var to = $"{objectType}#{relation}";
        if (from == to)
        {
            return true;
        }

        if (!reachableFrom.TryGetValue(to, out var sources))
        {
            return false;
        }

        return sources.Contains(from) || (userRelation.Length == 0 && sources.Contains($"{userType}:*"));
    }

    /// <summary>The ways a holder of <paramref name="sourceLabel"/> (<c>user</c>, <c>user:*</c> or <c>group#member</c>) gains relations, skipping subtracted branches.</summary>
    internal IReadOnlyList<GrantEdge> GrantsFrom(string sourceLabel) =>
        grantsBySource.TryGetValue(sourceLabel, out var edges) ? edges : [];

    private void IndexRewrite(string type, RelationDefinition relation, Userset rewrite, bool granting)
    {
        switch (rewrite)
        {
            case DirectUserset:
                foreach (var restriction in relation.DirectlyRelatedUserTypes)
                {
                    AddEdge(restriction.Label, new GrantEdge(GrantKind.Direct, type, relation.Name, null), granting);
                }

                break;
            case ComputedUserset computed:
                AddEdge($"{type}#{computed.Relation}", new GrantEdge(GrantKind.Computed, type, relation.Name, null), granting);
                break;
            case TupleToUserset ttu:
                tuplesetRelations.Add($"{type}#{ttu.Tupleset}");
                var tupleset = FindRelation(type, ttu.Tupleset);
                foreach (var parentType in tupleset?.DirectlyRelatedUserTypes.Select(r => r.Type).Distinct() ?? [])
                {
                    if (FindRelation(parentType, ttu.ComputedRelation) is not null)
                    {
                        AddEdge($"{parentType}#{ttu.ComputedRelation}", new GrantEdge(GrantKind.TupleToUserset, type, relation.Name, ttu.Tupleset), granting);
                    }
                }

                break;
            case UnionUserset union:
                foreach (var child in union.Children)
                {
                    IndexRewrite(type, relation, child, granting);
                }

                break;
            case IntersectionUserset intersection:
                foreach (var child in intersection.Children)
                {
                    IndexRewrite(type, relation, child, granting);
                }

                break;
            case DifferenceUserset difference:
                IndexRewrite(type, relation, difference.Base, granting);
                IndexRewrite(type, relation, difference.Subtract, granting: false);
                break;
        }
    }

    private void AddEdge(string source, GrantEdge edge, bool granting)
    {
        var target = $"{edge.TargetType}#{edge.TargetRelation}";
        if (!incoming.TryGetValue(target, out var sources))
        {
            incoming[target] = sources = new HashSet<string>(StringComparer.Ordinal);
        }

        sources.Add(source);
        if (!granting)
        {
            return;
        }

        if (!grantsBySource.TryGetValue(source, out var edges))
        {
            grantsBySource[source] = edges = [];
        }

        if (!edges.Contains(edge))
        {
            edges.Add(edge);
        }
    }

    private HashSet<string> SourcesReaching(string label)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(label);
        while (pending.Count > 0)
        {
            if (!incoming.TryGetValue(pending.Pop(), out var sources))
            {
                continue;
            }

            foreach (var source in sources.Where(seen.Add))
            {
                pending.Push(source);
            }
        }

        return seen;
    }
}

internal enum GrantKind
{
    Direct,
    Computed,
    TupleToUserset,
}

/// <summary>
/// An edge of the model graph used for reverse expansion: holding the source label grants
/// <see cref="TargetRelation"/> on objects of <see cref="TargetType"/> (through <see cref="Tupleset"/> for tuple-to-userset).
/// </summary>
internal sealed record GrantEdge(GrantKind Kind, string TargetType, string TargetRelation, string? Tupleset);
