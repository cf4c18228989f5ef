using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mesh.Contracts.Serialization;

/// <summary>The one way message records are written to and read from the wire.</summary>
public static class MeshJson
{
    /// <summary>
    /// The serializer options of every message: <see cref="MeshJsonContext"/>'s settings, and non-ASCII text
    /// written as UTF-8 rather than <c>\u</c> escapes, which keeps messages within their byte limits.
    /// Messages are JSON for machines; whoever puts their text into HTML encodes it there. Read-only.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Writes <paramref name="value"/> as UTF-8 JSON.</summary>
    /// <typeparam name="T">A message record known to <see cref="MeshJsonContext"/>.</typeparam>
    /// <param name="value">The message.</param>
    /// <returns>The UTF-8 bytes.</returns>
    public static byte[] SerializeToUtf8Bytes<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, TypeInfo<T>());

    /// <summary>Writes <paramref name="value"/> as a JSON string.</summary>
    /// <typeparam name="T">A message record known to <see cref="MeshJsonContext"/>.</typeparam>
    /// <param name="value">The message.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    /// <summary>Writes <paramref name="value"/>, of the message type <paramref name="type"/>, as UTF-8 JSON.</summary>
    /// <param name="value">The message.</param>
    /// <param name="type">Its record type, e.g. from <see cref="Schemas.MeshSchemas.All"/>.</param>
    /// <returns>The UTF-8 bytes.</returns>
    public static byte[] SerializeToUtf8Bytes(object value, Type type) =>
        JsonSerializer.SerializeToUtf8Bytes(value, Options.GetTypeInfo(type));

    /// <summary>Reads a message from UTF-8 JSON.</summary>
    /// <typeparam name="T">A message record known to <see cref="MeshJsonContext"/>.</typeparam>
    /// <param name="utf8Json">The message body.</param>
    /// <returns>The message.</returns>
    /// <exception cref="JsonException">The JSON is malformed, misses a required field or is <c>null</c>.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, TypeInfo<T>()) ?? throw NullMessage(typeof(T));

    /// <summary>Reads a message from a JSON string.</summary>
    /// <typeparam name="T">A message record known to <see cref="MeshJsonContext"/>.</typeparam>
    /// <param name="json">The message body.</param>
    /// <returns>The message.</returns>
    /// <exception cref="JsonException">The JSON is malformed, misses a required field or is <c>null</c>.</exception>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize(json, TypeInfo<T>()) ?? throw NullMessage(typeof(T));

    /// <summary>Reads a message of the record type <paramref name="type"/> from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The message body.</param>
    /// <param name="type">Its record type, e.g. from <see cref="Schemas.MeshSchemas.All"/>.</param>
    /// <returns>The message.</returns>
    /// <exception cref="JsonException">The JSON is malformed, misses a required field or is <c>null</c>.</exception>
    public static object Deserialize(ReadOnlySpan<byte> utf8Json, Type type) =>
        JsonSerializer.Deserialize(utf8Json, Options.GetTypeInfo(type)) ?? throw NullMessage(type);

    /// <summary>
    /// The wire name of a contract enum value (<c>assistant.delta</c>, <c>circuit_open</c>, ...), as the value
    /// serializes; worked out once per enum type.
    /// </summary>
    public static string WireName<TEnum>(TEnum value)
        where TEnum : struct, Enum => WireNames<TEnum>.Names[value];

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(MeshJsonContext.Default.Options)
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly();
        return options;
    }

    private static JsonTypeInfo<T> TypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private static JsonException NullMessage(Type type) => new($"A {type.Name} message cannot be null.");

    private static class WireNames<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly Dictionary<TEnum, string> Names = Enum.GetValues<TEnum>().ToDictionary(v => v, v => Serialize(v).Trim('"'));
    }
}
