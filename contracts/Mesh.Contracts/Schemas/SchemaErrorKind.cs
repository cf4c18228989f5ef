namespace Mesh.Contracts.Schemas;

/// <summary>Why a message failed validation; stable names, fit for a dead letter's <c>error-type</c> header.</summary>
public enum SchemaErrorKind
{
    /// <summary>The body is not well-formed UTF-8 JSON, or repeats a property name.</summary>
    InvalidJson,

    /// <summary>The body is larger than the schema's <c>x-mesh-max-bytes</c>.</summary>
    TooLarge,

    /// <summary>No schema has the given id.</summary>
    UnknownSchema,

    /// <summary>A required property is absent.</summary>
    MissingProperty,

    /// <summary>A property the schema does not define is present.</summary>
    UnexpectedProperty,

    /// <summary>A value has the wrong JSON type.</summary>
    WrongType,

    /// <summary>A string is shorter than allowed.</summary>
    StringTooShort,

    /// <summary>A string is longer than allowed.</summary>
    StringTooLong,

    /// <summary>A string does not match the required pattern.</summary>
    PatternMismatch,

    /// <summary>A string is not in the required format (date-time, uuid, ...).</summary>
    InvalidFormat,

    /// <summary>A value is not one of the allowed values.</summary>
    InvalidEnumValue,

    /// <summary>A number is below its minimum or above its maximum.</summary>
    OutOfRange,

    /// <summary>An object has more properties than allowed.</summary>
    TooManyProperties,

    /// <summary>An array has more or fewer items than allowed.</summary>
    WrongItemCount,

    /// <summary>The message fits none of the shapes its kind or type allows.</summary>
    NoMatchingVariant,

    /// <summary>Any other schema violation.</summary>
    Other,
}
