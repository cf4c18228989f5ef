using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Mesh.Contracts.Schemas;

/// <summary>
/// <c>date-time</c> as RFC 3339 requires it: full date, time and offset. NJsonSchema's own check takes
/// anything <see cref="DateTime.TryParse(string, out DateTime)"/> does (a bare date, for one), which other
/// consumers would then fail to read.
/// </summary>
internal sealed partial class Rfc3339DateTimeValidator : IFormatValidator
{
    public string Format => "date-time";

    public ValidationErrorKind ValidationErrorKind => ValidationErrorKind.DateTimeExpected;

    public bool IsValid(string value, JTokenType tokenType) =>
        Shape().IsMatch(value) &&
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
