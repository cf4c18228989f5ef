using System.Globalization;
using System.Text;

namespace Mesh.Observability.Metrics;

/// <summary>Names, escaping and number formatting of the Prometheus text exposition format 0.0.4.</summary>
internal static class PrometheusText
{
    public const string Prefix = "mesh_";

    private static readonly string[] ReservedSuffixes = ["_count", "_sum", "_bucket", "_total"];

    public static string MetricName(string instrumentName, string? unit, MetricType type)
    {
        var name = Sanitize(instrumentName);
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            name = name.Length == 0 ? "mesh" : Prefix + name;
        }

        // The unit goes before _total (mesh_process_cpu_seconds_total), so a name that already
        // ends in _total is taken apart first and never gets the suffix twice.
        if (type == MetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }

        // _count, _sum and _bucket belong to histograms and _total to counters; a gauge such as
        // dotnet.timer.count keeps its meaning but must not look like part of another type.
        return type switch
        {
            MetricType.Counter => name + "_total",
            MetricType.Gauge when ReservedSuffixes.Any(reserved => name.EndsWith(reserved, StringComparison.Ordinal)) => name + "_current",
            _ => name,
        };
    }

    /// <summary>
    /// <c>s</c>, <c>ms</c> and <c>By</c> become suffixes; annotations (<c>{request}</c>), the
    /// dimensionless <c>1</c> and any other unit add nothing.
    /// </summary>
    public static string UnitSuffix(string? unit) => unit switch
    {
        "s" => "_seconds",
        "ms" => "_milliseconds",
        "By" => "_bytes",
        _ => "",
    };

    /// <summary>A tag key as a label name, or an empty string when nothing usable is left.</summary>
    public static string LabelName(string key)
    {
        var name = Sanitize(key);
        return name.Length > 0 && char.IsAsciiDigit(name[0]) ? "_" + name : name;
    }

    /// <summary>
    /// Lower case; every character outside [a-z0-9] becomes one underscore; runs of underscores
    /// collapse and leading or trailing ones are dropped, so the result never starts with the
    /// reserved <c>__</c>.
    /// </summary>
    public static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lower = char.ToLowerInvariant(c);
            if (char.IsAsciiLetterLower(lower) || char.IsAsciiDigit(lower))
            {
                builder.Append(lower);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        if (builder.Length > 0 && builder[^1] == '_')
        {
            builder.Length--;
        }

        return builder.ToString();
    }

    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    public static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };
}
