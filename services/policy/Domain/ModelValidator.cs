namespace Mesh.Policy.Domain;

/// <summary>
/// OpenFGA's rules for a model to be accepted: a supported schema version, unique well-formed type and
/// relation names, rewrites that only reference defined relations, tuplesets that are plain direct
/// relations, type restrictions exactly on assignable relations, an entrypoint for every relation
/// (some concrete user can ever hold it) and no cycle made of computed relations alone.
/// </summary>
internal static class ModelValidator
{
    private static readonly HashSet<string> SupportedSchemaVersions = new(StringComparer.Ordinal) { "1.1", "1.2" };

    private static readonly HashSet<string> ParameterTypeNames = new(StringComparer.Ordinal)
    {
        "TYPE_NAME_ANY", "TYPE_NAME_BOOL", "TYPE_NAME_STRING", "TYPE_NAME_INT", "TYPE_NAME_UINT", "TYPE_NAME_DOUBLE",
        "TYPE_NAME_DURATION", "TYPE_NAME_TIMESTAMP", "TYPE_NAME_MAP", "TYPE_NAME_LIST", "TYPE_NAME_IPADDRESS",
    };

    public static void Validate(TypeSystem typeSystem)
    {
        var model = typeSystem.Model;
        if (!SupportedSchemaVersions.Contains(model.SchemaVersion))
        {
            throw Invalid($"invalid schema version '{model.SchemaVersion}': only 1.1 is supported");
        }

        var duplicate = model.TypeDefinitions.GroupBy(t => t.Type, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw Invalid($"an authorization model cannot contain duplicate types: '{duplicate.Key}'");
        }

        ValidateConditions(model);
        foreach (var type in model.TypeDefinitions)
        {
            ValidateNames(type);
        }

        var entrypoints = RelationsWithEntrypoints(typeSystem);
        foreach (var type in model.TypeDefinitions.OrderBy(t => t.Type, StringComparer.Ordinal))
        {
            foreach (var relation in type.Relations.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                ValidateRewrite(typeSystem, type.Type, relation.Name, relation.Rewrite);
                ValidateTypeRestrictions(typeSystem, type.Type, relation);
                if (!entrypoints.Contains($"{type.Type}#{relation.Name}"))
                {
                    throw InvalidRelation(type.Type, relation.Name, "no entrypoints defined: no user can ever be related through it");
                }

                if (HasComputedCycle(typeSystem, type.Type, relation.Name, [relation.Name]))
                {
                    throw InvalidRelation(type.Type, relation.Name, "an authorization model cannot contain a cycle of computed relations");
                }
            }
        }
    }

    private static void ValidateNames(TypeDefinition type)
    {
        if (!IsName(type.Type, 254) || type.Type.Contains('*', StringComparison.Ordinal))
        {
            throw Invalid($"'{type.Type}' is not a valid type name");
        }

        if (type.Type is "self" or "this")
        {
            throw Invalid($"the type name '{type.Type}' is reserved");
        }

        if (type.Relations.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw InvalidRelation(type.Type, duplicate.Key, "the relation is defined twice");
        }

        foreach (var relation in type.Relations)
        {
            if (!IsName(relation.Name, 50) || relation.Name.Contains('*', StringComparison.Ordinal))
            {
                throw Invalid($"'{relation.Name}' in type '{type.Type}' is not a valid relation name");
            }

            if (relation.Name is "self" or "this")
            {
                throw InvalidRelation(type.Type, relation.Name, "'self' and 'this' are reserved");
            }
        }
    }

    private static bool IsName(string name, int maxLength) =>
        name.Length > 0 && name.Length <= maxLength
        && !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ':' or '#' or '@');

    private static void ValidateConditions(AuthorizationModel model)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var condition in model.Conditions)
        {
            if (!names.Add(condition.Name))
            {
                throw Invalid($"condition '{condition.Name}' is defined twice");
            }

            if (string.IsNullOrWhiteSpace(condition.Expression))
            {
                throw Invalid($"condition '{condition.Name}' has no expression");
            }

            foreach (var parameter in condition.Parameters)
            {
                var parameterType = parameter.Type;
                if (!ParameterTypeNames.Contains(parameterType.TypeName) || parameterType.GenericTypes.Any(g => !ParameterTypeNames.Contains(g.TypeName)))
                {
                    throw Invalid($"parameter '{parameter.Name}' of condition '{condition.Name}' has an unknown type '{parameterType.TypeName}'");
                }
            }
        }
    }

    private static void ValidateRewrite(TypeSystem typeSystem, string type, string relation, Userset rewrite)
    {
        switch (rewrite)
        {
            case DirectUserset:
                break;
            case ComputedUserset computed when computed.Relation == relation:
                throw InvalidRelation(type, relation, "a relation cannot be defined as itself");
            case ComputedUserset computed when typeSystem.FindRelation(type, computed.Relation) is null:
                throw InvalidRelation(type, relation, $"'{type}#{computed.Relation}' is an undefined relation");
            case ComputedUserset:
                break;
            case TupleToUserset ttu:
                var tupleset = typeSystem.FindRelation(type, ttu.Tupleset)
                    ?? throw InvalidRelation(type, relation, $"'{type}#{ttu.Tupleset}' is an undefined relation");
                if (tupleset.Rewrite is not DirectUserset)
                {
                    throw InvalidRelation(type, relation, $"the '{type}#{ttu.Tupleset}' relation is referenced in a tupleset and must be a direct relation only");
                }

                if (!tupleset.DirectlyRelatedUserTypes.Any(r => typeSystem.FindRelation(r.Type, ttu.ComputedRelation) is not null))
                {
                    throw InvalidRelation(type, relation, $"'{ttu.ComputedRelation}' is not a relation of any type allowed in '{type}#{ttu.Tupleset}'");
                }

                break;
            case UnionUserset or IntersectionUserset:
                var children = rewrite is UnionUserset union ? union.Children : ((IntersectionUserset)rewrite).Children;
                if (children.Count < 2)
                {
                    throw InvalidRelation(type, relation, "a union or intersection needs at least two children");
                }

                foreach (var child in children)
                {
                    ValidateRewrite(typeSystem, type, relation, child);
                }

                break;
            case DifferenceUserset difference:
                ValidateRewrite(typeSystem, type, relation, difference.Base);
                ValidateRewrite(typeSystem, type, relation, difference.Subtract);
                break;
        }
    }

    private static void ValidateTypeRestrictions(TypeSystem typeSystem, string type, RelationDefinition relation)
    {
        var assignable = ContainsDirect(relation.Rewrite);
        var restrictions = relation.DirectlyRelatedUserTypes;
        if (assignable && restrictions.Count == 0)
        {
            throw InvalidRelation(type, relation.Name, "an assignable relation must allow at least one user type");
        }

        if (!assignable && restrictions.Count > 0)
        {
            throw InvalidRelation(type, relation.Name, "a relation without direct assignment must not list user types");
        }

        var isTupleset = typeSystem.IsTuplesetRelation(type, relation.Name);
        foreach (var restriction in restrictions)
        {
            if (!typeSystem.HasType(restriction.Type))
            {
                throw InvalidRelation(type, relation.Name, $"the user type '{restriction.Label}' is not defined");
            }

            if ((restriction.Relation is not null || restriction.Wildcard) && isTupleset)
            {
                throw InvalidRelation(type, relation.Name, $"'{restriction.Label}' is not allowed: a tupleset relation may only allow plain types");
            }

            if (restriction.Relation is not null && typeSystem.FindRelation(restriction.Type, restriction.Relation) is null)
            {
                throw InvalidRelation(type, relation.Name, $"the user type '{restriction.Label}' names an undefined relation");
            }

            if (restriction.Condition is not null && typeSystem.Model.Conditions.All(c => c.Name != restriction.Condition))
            {
                throw InvalidRelation(type, relation.Name, $"condition '{restriction.Condition}' is not defined");
            }
        }
    }

    private static bool ContainsDirect(Userset rewrite) => rewrite switch
    {
        DirectUserset => true,
        UnionUserset union => union.Children.Any(ContainsDirect),
        IntersectionUserset intersection => intersection.Children.Any(ContainsDirect),
        DifferenceUserset difference => ContainsDirect(difference.Base) || ContainsDirect(difference.Subtract),
        _ => false,
    };

    /// <summary>
    /// The relations some concrete user (an object or a wildcard) can hold: the least fixpoint, so a
    /// relation that can only be reached through itself has none.
    /// </summary>
    private static HashSet<string> RelationsWithEntrypoints(TypeSystem typeSystem)
    {
        var relations = typeSystem.Model.TypeDefinitions
            .SelectMany(t => t.Relations.Select(r => (Type: t.Type, Relation: r)))
            .ToList();
        var found = new HashSet<string>(StringComparer.Ordinal);
        bool changed;
        do
        {
            changed = false;
            foreach (var (type, relation) in relations)
            {
                var key = $"{type}#{relation.Name}";
                if (!found.Contains(key) && HasEntrypoint(typeSystem, type, relation, relation.Rewrite, found))
                {
                    found.Add(key);
                    changed = true;
                }
            }
        }
        while (changed);

        return found;
    }

    private static bool HasEntrypoint(TypeSystem typeSystem, string type, RelationDefinition relation, Userset rewrite, HashSet<string> found) =>
        rewrite switch
        {
            DirectUserset => relation.DirectlyRelatedUserTypes.Any(r => r.Relation is null || found.Contains(r.Label)),
            ComputedUserset computed => found.Contains($"{type}#{computed.Relation}"),
            TupleToUserset ttu => (typeSystem.FindRelation(type, ttu.Tupleset)?.DirectlyRelatedUserTypes ?? [])
                .Any(r => found.Contains($"{r.Type}#{ttu.ComputedRelation}")),
            UnionUserset union => union.Children.Any(c => HasEntrypoint(typeSystem, type, relation, c, found)),
            IntersectionUserset intersection => intersection.Children.All(c => HasEntrypoint(typeSystem, type, relation, c, found)),
            DifferenceUserset difference => HasEntrypoint(typeSystem, type, relation, difference.Base, found)
                && HasEntrypoint(typeSystem, type, relation, difference.Subtract, found),
            _ => false,
        };

    private static bool HasComputedCycle(TypeSystem typeSystem, string type, string relation, HashSet<string> path)
    {
        var rewrite = typeSystem.FindRelation(type, relation)?.Rewrite;
        foreach (var next in ComputedRelations(rewrite))
        {
            if (path.Contains(next))
            {
                return true;
            }

            if (HasComputedCycle(typeSystem, type, next, [.. path, next]))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string> ComputedRelations(Userset? rewrite) => rewrite switch
    {
        ComputedUserset computed => [computed.Relation],
        UnionUserset union => union.Children.SelectMany(ComputedRelations),
        IntersectionUserset intersection => intersection.Children.SelectMany(ComputedRelations),
        DifferenceUserset difference => ComputedRelations(difference.Base).Concat(ComputedRelations(difference.Subtract)),
        _ => [],
    };

    private static AuthorizationException InvalidRelation(string type, string relation, string reason) =>
        Invalid($"the definition of relation '{relation}' in type '{type}' is invalid: {reason}");

    private static AuthorizationException Invalid(string message) =>
        new(AuthorizationErrorCode.InvalidAuthorizationModel, message);
}
