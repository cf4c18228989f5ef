namespace Mesh.Policy.Domain;

/// <summary>
/// A relationship tuple: <paramref name="User"/> has <paramref name="Relation"/> on <paramref name="Object"/>.
/// The user is an object (<c>user:anne</c>), a typed wildcard (<c>user:*</c>) or a userset (<c>group:eng#member</c>).
/// </summary>
public sealed record TupleKey(string Object, string Relation, string User)
{
    /// <inheritdoc />
    public override string ToString() => $"{Object}#{Relation}@{User}";
}

/// <summary>A ListUsers filter: users of <paramref name="Type"/>, or usersets <c>type#relation</c> when <paramref name="Relation"/> is set.</summary>
public sealed record UserTypeFilter(string Type, string? Relation = null)
{
    /// <summary>Reads <c>user</c> or <c>group#member</c>.</summary>
    public static UserTypeFilter Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = value.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? new UserTypeFilter(value) : new UserTypeFilter(value[..hash], value[(hash + 1)..]);
    }

    /// <inheritdoc />
    public override string ToString() => Relation is null ? Type : $"{Type}#{Relation}";
}
