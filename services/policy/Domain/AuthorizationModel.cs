namespace Mesh.Policy.Domain;

/// <summary>An OpenFGA authorization model (schema 1.1): type definitions and conditions.</summary>
public sealed record AuthorizationModel(
    string SchemaVersion,
    IReadOnlyList<TypeDefinition> TypeDefinitions,
    IReadOnlyList<ConditionDefinition> Conditions);

/// <summary>An object type and the relations it defines, in definition order.</summary>
public sealed record TypeDefinition(string Type, IReadOnlyList<RelationDefinition> Relations);

/// <summary>
/// A relation: its rewrite rule and, when the rule contains a direct assignment (<see cref="DirectUserset"/>),
/// the user types that may be assigned directly.
/// </summary>
public sealed record RelationDefinition(
    string Name,
    Userset Rewrite,
    IReadOnlyList<RelationReference> DirectlyRelatedUserTypes);

/// <summary>
/// A type restriction on a direct assignment: <c>user</c>, <c>user:*</c> (<paramref name="Wildcard"/>) or
/// <c>group#member</c> (<paramref name="Relation"/>), optionally guarded by a condition.
/// </summary>
public sealed record RelationReference(string Type, string? Relation = null, bool Wildcard = false, string? Condition = null)
{
    /// <summary>The restriction as the DSL writes it, without the condition: <c>user</c>, <c>user:*</c> or <c>group#member</c>.</summary>
    public string Label => Wildcard ? $"{Type}:*" : Relation is null ? Type : $"{Type}#{Relation}";

    /// <inheritdoc />
    public override string ToString() => Condition is null ? Label : $"{Label} with {Condition}";
}

/// <summary>A relation's rewrite rule.</summary>
public abstract record Userset;

/// <summary>Direct assignment (<c>[user, group#member]</c>; OpenFGA's <c>this</c>).</summary>
public sealed record DirectUserset : Userset;

/// <summary>Another relation on the same object (<c>define viewer: editor</c>).</summary>
public sealed record ComputedUserset(string Relation) : Userset;

/// <summary>A relation on the objects related through a tupleset relation (<c>viewer from parent</c>).</summary>
public sealed record TupleToUserset(string Tupleset, string ComputedRelation) : Userset;

/// <summary>Any of the children (<c>or</c>).</summary>
public sealed record UnionUserset(IReadOnlyList<Userset> Children) : Userset;

/// <summary>All of the children (<c>and</c>).</summary>
public sealed record IntersectionUserset(IReadOnlyList<Userset> Children) : Userset;

/// <summary>The base without the subtracted set (<c>but not</c>).</summary>
public sealed record DifferenceUserset(Userset Base, Userset Subtract) : Userset;

/// <summary>A named condition: typed parameters and a CEL expression. Parsed and kept, not evaluated.</summary>
public sealed record ConditionDefinition(string Name, string Expression, IReadOnlyList<ConditionParameter> Parameters);

/// <summary>One condition parameter.</summary>
public sealed record ConditionParameter(string Name, ConditionParameterType Type);

/// <summary>
/// A condition parameter type in OpenFGA's JSON spelling (<c>TYPE_NAME_STRING</c>, <c>TYPE_NAME_LIST</c> …);
/// containers carry their element type in <paramref name="GenericTypes"/>.
/// </summary>
public sealed record ConditionParameterType(string TypeName, IReadOnlyList<ConditionParameterType> GenericTypes);
