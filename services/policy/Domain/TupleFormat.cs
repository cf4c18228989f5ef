namespace Mesh.Policy.Domain;

/// <summary>
/// The string forms inside tuples, with OpenFGA's rules: objects <c>type:id</c>, typed wildcards
/// <c>type:*</c>, usersets <c>type:id#relation</c>.
/// </summary>
public static class TupleFormat
{
    /// <summary>The id that stands for every object of a type.</summary>
    public const string Wildcard = "*";

    /// <summary>Splits <c>type:id</c>; a value without a colon has an empty type.</summary>
    public static (string Type, string Id) SplitObject(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (string.Empty, value) : (value[..colon], value[(colon + 1)..]);
    }

    /// <summary>Splits <c>object#relation</c> at the last <c>#</c>; the relation is empty when there is none.</summary>
    public static (string Object, string Relation) SplitUserset(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = value.LastIndexOf('#');
        return hash < 0 ? (value, string.Empty) : (value[..hash], value[(hash + 1)..]);
    }

    /// <summary><c>type:*</c>.</summary>
    public static bool IsTypedWildcard(string value)
    {
        var (type, id) = SplitObject(value);
        return type.Length > 0 && id == Wildcard;
    }

    /// <summary>Exactly one colon, not first, a non-empty id, and no <c>#</c>, space or control character.</summary>
    public static bool IsValidObject(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var seenColon = false;
        var idLength = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c is '#' or ' ')
            {
                return false;
            }

            if (c == ':')
            {
                if (seenColon || i == 0)
                {
                    return false;
                }

                seenColon = true;
            }
            else if (seenColon)
            {
                idLength++;
            }
        }

        return idLength > 0;
    }

    /// <summary><c>type:id#relation</c> with a non-empty id and relation and no wildcard id.</summary>
    public static bool IsValidUserset(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var part = 0;
        var idLength = 0;
        var relationLength = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c == ' ')
            {
                return false;
            }

            switch (c)
            {
                case ':':
                    if (part > 0 || i == 0)
                    {
                        return false;
                    }

                    part = 1;
                    break;
                case '#':
                    if (part > 1 || idLength == 0)
                    {
                        return false;
                    }

                    part = 2;
                    break;
                case '*' when part > 0:
                    return false;
                default:
                    if (part == 1)
                    {
                        idLength++;
                    }
                    else if (part == 2)
                    {
                        relationLength++;
                    }

                    break;
            }
        }

        return relationLength > 0;
    }

    /// <summary>A non-empty name without <c>#</c>, <c>:</c>, <c>@</c>, space or control characters.</summary>
    public static bool IsValidRelation(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length > 0 && !value.Any(c => char.IsControl(c) || c is '#' or ':' or '@' or ' ');
    }

    /// <summary>An object, a typed wildcard or a userset.</summary>
    public static bool IsValidUser(string value) => IsValidObject(value) || IsValidUserset(value);
}
