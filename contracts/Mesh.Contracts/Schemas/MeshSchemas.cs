using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Delegation;
using Mesh.Contracts.Policy;
using Mesh.Contracts.Tools;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Mesh.Contracts.Schemas;

/// <summary>
/// The message schemas embedded from <c>contracts/schemas</c>, loaded once, and validation of message
/// bodies against them, including the <c>x-mesh-max-bytes</c> size limit.
/// </summary>
public static class MeshSchemas
{
    /// <summary>Schema id of <see cref="Conversations.ConversationMessage"/>.</summary>
    public const string ConversationMessage = "mesh.conversation.message/v1";

    /// <summary>Schema id of <see cref="Conversations.ConversationEvent"/>.</summary>
    public const string ConversationEvent = "mesh.conversation.event/v1";

    /// <summary>Schema id of <see cref="Tools.ToolRequest"/>.</summary>
    public const string ToolRequest = "mesh.tool.request/v1";

    /// <summary>Schema id of <see cref="Tools.ToolResult"/>.</summary>
    public const string ToolResult = "mesh.tool.result/v1";

    /// <summary>Schema id of <see cref="Delegation.DelegationTask"/>.</summary>
    public const string DelegationTask = "mesh.delegation.task/v1";

    /// <summary>Schema id of <see cref="Delegation.DelegationEvent"/>.</summary>
    public const string DelegationEvent = "mesh.delegation.event/v1";

    /// <summary>Schema id of <see cref="Policy.PolicyDecision"/>.</summary>
    public const string PolicyDecision = "mesh.policy.decision/v1";

    private const string MaxBytesKeyword = "x-mesh-max-bytes";

    private static readonly (string Id, string FileName, Type RecordType)[] Catalog =
    [
        (ConversationMessage, "conversation-message.v1.json", typeof(ConversationMessage)),
        (ConversationEvent, "conversation-event.v1.json", typeof(ConversationEvent)),
        (ToolRequest, "tool-request.v1.json", typeof(ToolRequest)),
        (ToolResult, "tool-result.v1.json", typeof(ToolResult)),
        (DelegationTask, "delegation-task.v1.json", typeof(DelegationTask)),
        (DelegationEvent, "delegation-event.v1.json", typeof(DelegationEvent)),
        (PolicyDecision, "policy-decision.v1.json", typeof(PolicyDecision)),
    ];

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    private static readonly JsonSchemaValidatorSettings ValidatorSettings = CreateValidatorSettings();

    // Loading is async in NJsonSchema but needs no I/O here (embedded text, internal references only);
    // Task.Run keeps the one-time wait free of any caller's synchronization context.
    private static readonly Lazy<IReadOnlyDictionary<string, LoadedSchema>> Loaded =
        new(() => Task.Run(LoadAsync).GetAwaiter().GetResult());

    /// <summary>Every message schema, in a fixed order.</summary>
    public static IReadOnlyList<SchemaInfo> All => [.. Catalog.Select(entry => Loaded.Value[entry.Id].Info)];

    /// <summary>The schema with the id <paramref name="schemaId"/>.</summary>
    /// <param name="schemaId">A schema id such as <c>mesh.tool.request/v1</c>.</param>
    /// <returns>The schema, or <see langword="null"/> when no schema has that id.</returns>
    public static SchemaInfo? Find(string schemaId) =>
        Loaded.Value.TryGetValue(schemaId, out var schema) ? schema.Info : null;

    /// <summary>The schema id of the message record <typeparamref name="T"/>, for the <c>schema</c> header.</summary>
    /// <typeparam name="T">A message record.</typeparam>
    /// <returns>The schema id.</returns>
    public static string SchemaIdFor<T>() => SchemaIdFor(typeof(T));

    /// <summary>The schema id of the message record <paramref name="recordType"/>.</summary>
    /// <param name="recordType">A message record type.</param>
    /// <returns>The schema id.</returns>
    /// <exception cref="ArgumentException"><paramref name="recordType"/> is not a message record.</exception>
    public static string SchemaIdFor(Type recordType)
    {
        foreach (var entry in Catalog)
        {
            if (entry.RecordType == recordType)
            {
                return entry.Id;
            }
        }

        throw new ArgumentException($"{recordType.Name} is not a mesh message record.", nameof(recordType));
    }

    /// <summary>Validates a JSON message body against the schema <paramref name="schemaId"/>.</summary>
    /// <param name="schemaId">The schema id, usually the message's <c>schema</c> header.</param>
    /// <param name="json">The message body.</param>
    /// <returns>The result; never throws for bad input.</returns>
    public static SchemaValidationResult Validate(string schemaId, string json)
    {
        if (!Loaded.Value.TryGetValue(schemaId, out var schema))
        {
            return UnknownSchema(schemaId);
        }

        var size = Encoding.UTF8.GetByteCount(json);
        return size > schema.Info.MaxBytes
            ? TooLarge(schema.Info, size)
            : Validate(schema, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Validates a UTF-8 JSON message body against the schema <paramref name="schemaId"/>.</summary>
    /// <param name="schemaId">The schema id, usually the message's <c>schema</c> header.</param>
    /// <param name="utf8Json">The message body as it came off the wire.</param>
    /// <returns>
    /// The result; never throws for bad input. A body over the size limit is reported as
    /// <see cref="SchemaErrorKind.TooLarge"/> alone, without being parsed.
    /// </returns>
    public static SchemaValidationResult Validate(string schemaId, ReadOnlyMemory<byte> utf8Json)
    {
        if (!Loaded.Value.TryGetValue(schemaId, out var schema))
        {
            return UnknownSchema(schemaId);
        }

        return utf8Json.Length > schema.Info.MaxBytes
            ? TooLarge(schema.Info, utf8Json.Length)
            : Validate(schema, utf8Json);
    }

    private static SchemaValidationResult Validate(LoadedSchema schema, ReadOnlyMemory<byte> utf8Json)
    {
        // The JSON reader checks structure, not the bytes inside strings; those would fail later, when read.
        if (!Utf8.IsValid(utf8Json.Span))
        {
            return new(schema.Info.Id, [new(SchemaErrorKind.InvalidJson, "$", "The body is not valid UTF-8.")]);
        }

        JToken token;
        try
        {
            using var document = JsonDocument.Parse(utf8Json, DocumentOptions);
            token = ToToken(document.RootElement);
        }
        catch (JsonException exception)
        {
            return new(schema.Info.Id, [new(SchemaErrorKind.InvalidJson, "$", exception.Message)]);
        }

        var errors = new List<SchemaValidationError>();
        Collect(schema.Schema.Validate(token, ValidatorSettings), errors);
        return new(schema.Info.Id, errors);
    }

    private static SchemaValidationResult UnknownSchema(string schemaId) =>
        new(schemaId, [new(SchemaErrorKind.UnknownSchema, "$", $"No message schema has the id '{schemaId}'.")]);

    private static SchemaValidationResult TooLarge(SchemaInfo info, long size) =>
        new(info.Id, [new(SchemaErrorKind.TooLarge, "$", $"The body is {size} bytes; {info.Id} allows at most {info.MaxBytes}.")]);

    private static void Collect(IEnumerable<ValidationError> errors, List<SchemaValidationError> into)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError { Kind: ValidationErrorKind.NotOneOf } union &&
                MatchingVariant(union) is { } variantErrors)
            {
                Collect(variantErrors, into);
            }
            else
            {
                into.Add(Describe(error));
            }
        }
    }

    // The oneOf variants of our schemas are told apart by a single-value enum on kind, type or status.
    // When exactly one variant accepts that discriminator, its own errors (a missing content, say) say
    // far more than "matches no variant".
    private static ICollection<ValidationError>? MatchingVariant(ChildSchemaValidationError union)
    {
        var candidates = union.Errors.Values
            .Where(errors => errors.All(error => error.Kind != ValidationErrorKind.NotInEnumeration))
            .ToList();
        return candidates is [{ Count: > 0 } only] ? only : null;
    }

    private static SchemaValidationError Describe(ValidationError error)
    {
        var path = error.Path is null or "#" ? "$" : "$." + error.Path.TrimStart('#', '/');
        var name = string.IsNullOrEmpty(error.Property) ? "The message" : $"'{error.Property}'";
        var schema = error.Schema;
        var (kind, message) = error.Kind switch
        {
            ValidationErrorKind.PropertyRequired =>
                (SchemaErrorKind.MissingProperty, $"Required property {name} is missing."),
            ValidationErrorKind.NoAdditionalPropertiesAllowed or ValidationErrorKind.AdditionalPropertiesNotValid =>
                (SchemaErrorKind.UnexpectedProperty, $"Property {name} is not allowed here."),
            ValidationErrorKind.StringExpected or ValidationErrorKind.NumberExpected or
            ValidationErrorKind.IntegerExpected or ValidationErrorKind.BooleanExpected or
            ValidationErrorKind.ObjectExpected or ValidationErrorKind.ArrayExpected or
            ValidationErrorKind.NullExpected or ValidationErrorKind.NoTypeValidates =>
                (SchemaErrorKind.WrongType, $"{name} has the wrong type: {error.Kind}."),
            ValidationErrorKind.StringTooShort =>
                (SchemaErrorKind.StringTooShort, $"{name} is shorter than {schema?.MinLength} characters."),
            ValidationErrorKind.StringTooLong =>
                (SchemaErrorKind.StringTooLong, $"{name} is longer than {schema?.MaxLength} characters."),
            ValidationErrorKind.PatternMismatch =>
                (SchemaErrorKind.PatternMismatch, $"{name} does not match {schema?.Pattern}."),
            ValidationErrorKind.NotInEnumeration =>
                (SchemaErrorKind.InvalidEnumValue, $"{name} must be one of: {EnumValues(schema)}."),
            ValidationErrorKind.NumberTooSmall or ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig =>
                (SchemaErrorKind.OutOfRange, $"{name} must be within [{schema?.Minimum}, {schema?.Maximum}]."),
            ValidationErrorKind.TooManyProperties =>
                (SchemaErrorKind.TooManyProperties, $"{name} has more than {schema?.MaxProperties} properties."),
            ValidationErrorKind.TooManyItems or ValidationErrorKind.TooFewItems =>
                (SchemaErrorKind.WrongItemCount, $"{name} has too many or too few items."),
            ValidationErrorKind.NotOneOf or ValidationErrorKind.NotAnyOf =>
                (SchemaErrorKind.NoMatchingVariant, $"{name} fits none of the shapes allowed for its kind, type or status."),
            _ when error.Kind.ToString().EndsWith("Expected", StringComparison.Ordinal) =>
                (SchemaErrorKind.InvalidFormat, $"{name} is not a valid {schema?.Format}."),
            _ => (SchemaErrorKind.Other, $"{name} violates the schema: {error.Kind}."),
        };
        return new(kind, path, message);
    }

    private static string EnumValues(JsonSchema? schema) =>
        schema is null ? "" : string.Join(", ", schema.Enumeration.Select(value => Convert.ToString(value, CultureInfo.InvariantCulture)));

    private static JToken ToToken(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => new JObject(element.EnumerateObject().Select(property => new JProperty(property.Name, ToToken(property.Value)))),
        JsonValueKind.Array => new JArray(element.EnumerateArray().Select(ToToken)),
        JsonValueKind.String => new JValue(element.GetString()),
        JsonValueKind.Number => ToNumber(element),
        JsonValueKind.True => new JValue(true),
        JsonValueKind.False => new JValue(false),
        _ => JValue.CreateNull(),
    };

    // Integers stay integers (as the C# records read them) and a literal such as 2.0 stays a float, which
    // System.Text.Json would refuse for an integer field too.
    private static JValue ToNumber(JsonElement element)
    {
        if (element.TryGetInt64(out var integer))
        {
            return new JValue(integer);
        }

        var text = element.GetRawText();
        return text.AsSpan().IndexOfAny('.', 'e', 'E') < 0
            ? new JValue(BigInteger.Parse(text, CultureInfo.InvariantCulture))
            : new JValue(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    private static JsonSchemaValidatorSettings CreateValidatorSettings()
    {
        var settings = new JsonSchemaValidatorSettings();
        settings.FormatValidators =
        [
            .. settings.FormatValidators.Where(validator => validator.Format != "date-time"),
            new Rfc3339DateTimeValidator(),
        ];
        return settings;
    }

    private static async Task<IReadOnlyDictionary<string, LoadedSchema>> LoadAsync()
    {
        var loaded = new Dictionary<string, LoadedSchema>(StringComparer.Ordinal);
        foreach (var (id, fileName, recordType) in Catalog)
        {
            var text = ReadResource(fileName);
            using var raw = JsonDocument.Parse(text);
            var declaredId = raw.RootElement.GetProperty("$id").GetString();
            if (declaredId != id)
            {
                throw new InvalidOperationException($"schemas/{fileName} declares $id '{declaredId}', expected '{id}'.");
            }

            if (!raw.RootElement.TryGetProperty(MaxBytesKeyword, out var maxBytes) || !maxBytes.TryGetInt32(out var limit) || limit <= 0)
            {
                throw new InvalidOperationException($"schemas/{fileName} needs a positive integer {MaxBytesKeyword}.");
            }

            var schema = await JsonSchema.FromJsonAsync(text).ConfigureAwait(false);
            loaded.Add(id, new LoadedSchema(new SchemaInfo(id, fileName, recordType, limit), schema));
        }

        return loaded;
    }

    private static string ReadResource(string fileName)
    {
        var name = "schemas/" + fileName;
        using var stream = typeof(MeshSchemas).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private sealed record LoadedSchema(SchemaInfo Info, JsonSchema Schema);
}
