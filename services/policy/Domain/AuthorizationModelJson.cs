using System.Text;
using System.Text.Json;

namespace Mesh.Policy.Domain;

/// <summary>
/// The JSON form of an authorization model as OpenFGA's <c>WriteAuthorizationModel</c> request body
/// spells it: <c>schema_version</c>, <c>type_definitions</c> with <c>relations</c> and
/// <c>metadata.relations[..].directly_related_user_types</c>, and <c>conditions</c>.
/// Reading accepts both the snake_case and the camelCase field names, as OpenFGA does.
/// </summary>
public static class AuthorizationModelJson
{
    /// <summary>Reads a model from JSON text.</summary>
    /// <exception cref="AuthorizationException">The JSON does not describe a model (code 2056).</exception>
    public static AuthorizationModel Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw Invalid($"the model is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Reads a model from a JSON object (e.g. an HTTP request body).</summary>
    /// <exception cref="AuthorizationException">The JSON does not describe a model (code 2056).</exception>
    public static AuthorizationModel Parse(JsonElement root)
    {
        RequireKind(root, JsonValueKind.Object, "the model");
        var schemaVersion = OptionalString(root, "schema_version", "schemaVersion") ?? string.Empty;
        var types = Property(root, "type_definitions", "typeDefinitions") is { ValueKind: JsonValueKind.Array } typeArray
            ? typeArray.EnumerateArray().Select(ParseTypeDefinition).ToList()
            : [];
        var conditions = Property(root, "conditions") is { ValueKind: JsonValueKind.Object } conditionMap
            ? conditionMap.EnumerateObject().Select(p => ParseCondition(p.Name, p.Value)).ToList()
            : [];
        return new AuthorizationModel(schemaVersion, types, conditions);
    }

    /// <summary>Writes the model as indented JSON text.</summary>
    public static string Serialize(AuthorizationModel model)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, model);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the model as a JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, AuthorizationModel model)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(model);
        writer.WriteStartObject();
        writer.WriteString("schema_version", model.SchemaVersion);
        writer.WriteStartArray("type_definitions");
        foreach (var type in model.TypeDefinitions)
        {
            WriteTypeDefinition(writer, type);
        }

        writer.WriteEndArray();
        if (model.Conditions.Count > 0)
        {
            writer.WriteStartObject("conditions");
            foreach (var condition in model.Conditions)
            {
                WriteCondition(writer, condition);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static TypeDefinition ParseTypeDefinition(JsonElement element)
    {
        RequireKind(element, JsonValueKind.Object, "a type definition");
        var type = OptionalString(element, "type") ?? throw Invalid("a type definition has no 'type'");
        var typeInfo = new Dictionary<string, IReadOnlyList<RelationReference>>(StringComparer.Ordinal);
        if (Property(element, "metadata") is { ValueKind: JsonValueKind.Object } metadata
            && Property(metadata, "relations") is { ValueKind: JsonValueKind.Object } relationMetadata)
        {
            foreach (var relation in relationMetadata.EnumerateObject())
            {
                typeInfo[relation.Name] =
                    Property(relation.Value, "directly_related_user_types", "directlyRelatedUserTypes") is { ValueKind: JsonValueKind.Array } restrictions
                        ? restrictions.EnumerateArray().Select(ParseRelationReference).ToList()
                        : [];
            }
        }

        var relations = new List<RelationDefinition>();
        if (Property(element, "relations") is { ValueKind: JsonValueKind.Object } relationMap)
        {
            foreach (var relation in relationMap.EnumerateObject())
            {
                var rewrite = ParseUserset(relation.Value, $"{type}#{relation.Name}");
                relations.Add(new RelationDefinition(relation.Name, rewrite, typeInfo.GetValueOrDefault(relation.Name) ?? []));
            }
        }

        return new TypeDefinition(type, relations);
    }

    private static RelationReference ParseRelationReference(JsonElement element)
    {
        RequireKind(element, JsonValueKind.Object, "a directly related user type");
        var type = OptionalString(element, "type") ?? throw Invalid("a directly related user type has no 'type'");
        var relation = OptionalString(element, "relation");
        var wildcard = Property(element, "wildcard") is { ValueKind: JsonValueKind.Object };
        var condition = OptionalString(element, "condition");
        return new RelationReference(
            type,
            string.IsNullOrEmpty(relation) ? null : relation,
            wildcard,
            string.IsNullOrEmpty(condition) ? null : condition);
    }

    private static Userset ParseUserset(JsonElement element, string where)
    {
        RequireKind(element, JsonValueKind.Object, $"the rewrite of {where}");
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            switch (property.Name)
            {
                case "this":
                    return new DirectUserset();
                case "computedUserset" or "computed_userset":
                    return new ComputedUserset(RelationOf(property.Value, where));
                case "tupleToUserset" or "tuple_to_userset":
                    var tupleset = Property(property.Value, "tupleset") ?? throw Invalid($"the tuple-to-userset of {where} has no 'tupleset'");
                    var computed = Property(property.Value, "computedUserset", "computed_userset")
                        ?? throw Invalid($"the tuple-to-userset of {where} has no 'computedUserset'");
                    return new TupleToUserset(RelationOf(tupleset, where), RelationOf(computed, where));
                case "union":
                    return new UnionUserset(Children(property.Value, where));
                case "intersection":
                    return new IntersectionUserset(Children(property.Value, where));
                case "difference":
                    var baseSet = Property(property.Value, "base") ?? throw Invalid($"the difference of {where} has no 'base'");
                    var subtract = Property(property.Value, "subtract") ?? throw Invalid($"the difference of {where} has no 'subtract'");
                    return new DifferenceUserset(ParseUserset(baseSet, where), ParseUserset(subtract, where));
                default:
                    throw Invalid($"the rewrite of {where} has an unknown field '{property.Name}'");
            }
        }

        throw Invalid($"the rewrite of {where} is empty");
    }

    private static List<Userset> Children(JsonElement element, string where) =>
        Property(element, "child") is { ValueKind: JsonValueKind.Array } children
            ? children.EnumerateArray().Select(child => ParseUserset(child, where)).ToList()
            : throw Invalid($"a set operation in {where} has no 'child' list");

    private static string RelationOf(JsonElement element, string where) =>
        OptionalString(element, "relation") is { Length: > 0 } relation
            ? relation
            : throw Invalid($"a rewrite of {where} names no relation");

    private static ConditionDefinition ParseCondition(string key, JsonElement element)
    {
        RequireKind(element, JsonValueKind.Object, $"condition '{key}'");
        var name = OptionalString(element, "name") ?? key;
        var expression = OptionalString(element, "expression") ?? string.Empty;
        var parameters = Property(element, "parameters") is { ValueKind: JsonValueKind.Object } parameterMap
            ? parameterMap.EnumerateObject().Select(p => new ConditionParameter(p.Name, ParseParameterType(p.Value))).ToList()
            : [];
        return new ConditionDefinition(name, expression, parameters);
    }

    private static ConditionParameterType ParseParameterType(JsonElement element)
    {
        RequireKind(element, JsonValueKind.Object, "a condition parameter type");
        var typeName = OptionalString(element, "type_name", "typeName") ?? throw Invalid("a condition parameter has no 'type_name'");
        var generics = Property(element, "generic_types", "genericTypes") is { ValueKind: JsonValueKind.Array } genericArray
            ? genericArray.EnumerateArray().Select(ParseParameterType).ToList()
            : [];
        return new ConditionParameterType(typeName, generics);
    }

    private static void WriteTypeDefinition(Utf8JsonWriter writer, TypeDefinition type)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type.Type);
        writer.WriteStartObject("relations");
        foreach (var relation in type.Relations)
        {
            writer.WritePropertyName(relation.Name);
            WriteUserset(writer, relation.Rewrite);
        }

        writer.WriteEndObject();
        if (type.Relations.Count > 0)
        {
            writer.WriteStartObject("metadata");
            writer.WriteStartObject("relations");
            foreach (var relation in type.Relations)
            {
                writer.WriteStartObject(relation.Name);
                writer.WriteStartArray("directly_related_user_types");
                foreach (var reference in relation.DirectlyRelatedUserTypes)
                {
                    WriteRelationReference(writer, reference);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteRelationReference(Utf8JsonWriter writer, RelationReference reference)
    {
        writer.WriteStartObject();
        writer.WriteString("type", reference.Type);
        if (reference.Relation is not null)
        {
            writer.WriteString("relation", reference.Relation);
        }

        if (reference.Wildcard)
        {
            writer.WriteStartObject("wildcard");
            writer.WriteEndObject();
        }

        if (reference.Condition is not null)
        {
            writer.WriteString("condition", reference.Condition);
        }

        writer.WriteEndObject();
    }

    private static void WriteUserset(Utf8JsonWriter writer, Userset userset)
    {
        writer.WriteStartObject();
        switch (userset)
        {
            case DirectUserset:
                writer.WriteStartObject("this");
                writer.WriteEndObject();
                break;
            case ComputedUserset computed:
                writer.WriteStartObject("computedUserset");
                writer.WriteString("relation", computed.Relation);
                writer.WriteEndObject();
                break;
            case TupleToUserset ttu:
                writer.WriteStartObject("tupleToUserset");
                writer.WriteStartObject("tupleset");
                writer.WriteString("relation", ttu.Tupleset);
                writer.WriteEndObject();
                writer.WriteStartObject("computedUserset");
                writer.WriteString("relation", ttu.ComputedRelation);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            case UnionUserset union:
                WriteChildren(writer, "union", union.Children);
                break;
            case IntersectionUserset intersection:
                WriteChildren(writer, "intersection", intersection.Children);
                break;
            case DifferenceUserset difference:
                writer.WriteStartObject("difference");
                writer.WritePropertyName("base");
                WriteUserset(writer, difference.Base);
                writer.WritePropertyName("subtract");
                WriteUserset(writer, difference.Subtract);
                writer.WriteEndObject();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(userset), userset, "unknown rewrite");
        }

        writer.WriteEndObject();
    }

    private static void WriteChildren(Utf8JsonWriter writer, string name, IReadOnlyList<Userset> children)
    {
        writer.WriteStartObject(name);
        writer.WriteStartArray("child");
        foreach (var child in children)
        {
            WriteUserset(writer, child);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteCondition(Utf8JsonWriter writer, ConditionDefinition condition)
    {
        writer.WriteStartObject(condition.Name);
        writer.WriteString("name", condition.Name);
        writer.WriteString("expression", condition.Expression);
        writer.WriteStartObject("parameters");
        foreach (var parameter in condition.Parameters)
        {
            writer.WritePropertyName(parameter.Name);
            WriteParameterType(writer, parameter.Type);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteParameterType(Utf8JsonWriter writer, ConditionParameterType type)
    {
        writer.WriteStartObject();
        writer.WriteString("type_name", type.TypeName);
        if (type.GenericTypes.Count > 0)
        {
            writer.WriteStartArray("generic_types");
            foreach (var generic in type.GenericTypes)
            {
                WriteParameterType(writer, generic);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static JsonElement? Property(JsonElement element, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private static string? OptionalString(JsonElement element, params ReadOnlySpan<string> names) =>
        Property(element, names) switch
        {
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            null or { ValueKind: JsonValueKind.Null } => null,
            _ => throw Invalid($"'{names[0]}' must be a string"),
        };

    private static void RequireKind(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
        {
            throw Invalid($"{what} must be a JSON {kind.ToString().ToLowerInvariant()}");
        }
    }

    private static AuthorizationException Invalid(string message) =>
        new(AuthorizationErrorCode.InvalidAuthorizationModel, message);
}
