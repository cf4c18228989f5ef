using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mesh.Contracts.Serialization;

/// <summary>
/// Writes instants as RFC 3339 in UTC with a <c>Z</c> and no trailing zero fractions, so the same instant
/// always has the same text on the wire whichever service produced it.
/// </summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
}
