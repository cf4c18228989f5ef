using System.Globalization;
using System.Text;

namespace Mesh.Observability.Metrics;

/// <summary>The tags of one series, in the order the measurement carried them, values already as label text.</summary>
internal sealed class TagSet
{
    private readonly KeyValuePair<string, string>[] tags;

    public TagSet(KeyValuePair<string, string>[] tags)
    {
        this.tags = tags;
        HashCode = TagSetComparer.Hash(tags);
    }

    public int HashCode { get; }

    public ReadOnlySpan<KeyValuePair<string, string>> Tags => tags;

    /// <summary>
    /// The label list without braces, sorted by label name. Two keys that sanitize to the same
    /// label name keep the first; on a histogram a tag named <c>le</c> becomes <c>exported_le</c>
    /// because <c>le</c> is the bucket bound.
    /// </summary>
    public string ToLabels(bool histogram)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            var name = PrometheusText.LabelName(key);
            if (histogram && name == "le")
            {
                name = "exported_le";
            }

            if (name.Length > 0)
            {
                labels.TryAdd(name, value);
            }
        }

        var builder = new StringBuilder();
        foreach (var (name, value) in labels)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"").Append(PrometheusText.EscapeLabelValue(value)).Append('"');
        }

        return builder.ToString();
    }
}

/// <summary>
/// Compares stored tag sets with the tags of a measurement as they arrive, so the hot path finds
/// an existing series without allocating a key. Order matters: the same tags in another order are
/// another key, and the scrape folds the two into one series because their labels are equal.
/// </summary>
internal sealed class TagSetComparer :
    IEqualityComparer<TagSet>,
    IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
{
    public static readonly TagSetComparer Instance = new();

    private const int FormatBufferLength = 64;

    public bool Equals(TagSet? x, TagSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.HashCode != y.HashCode)
        {
            return false;
        }

        var left = x.Tags;
        var right = y.Tags;
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (!string.Equals(left[i].Key, right[i].Key, StringComparison.Ordinal)
                || !string.Equals(left[i].Value, right[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(TagSet obj) => obj.HashCode;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other)
    {
        var stored = other.Tags;
        if (alternate.Length != stored.Length)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[FormatBufferLength];
        for (var i = 0; i < alternate.Length; i++)
        {
            if (!string.Equals(alternate[i].Key, stored[i].Key, StringComparison.Ordinal)
                || !FormatValue(alternate[i].Value, buffer).SequenceEqual(stored[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
    {
        var hash = default(HashCode);
        Span<char> buffer = stackalloc char[FormatBufferLength];
        foreach (var (key, value) in alternate)
        {
            hash.Add(string.GetHashCode(key, StringComparison.Ordinal));
            hash.Add(string.GetHashCode(FormatValue(value, buffer)));
        }

        return hash.ToHashCode();
    }

    public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
    {
        var tags = new KeyValuePair<string, string>[alternate.Length];
        Span<char> buffer = stackalloc char[FormatBufferLength];
        for (var i = 0; i < alternate.Length; i++)
        {
            var (key, value) = alternate[i];
            tags[i] = new(key, value as string ?? FormatValue(value, buffer).ToString());
        }

        return new TagSet(tags);
    }

    public static int Hash(ReadOnlySpan<KeyValuePair<string, string>> tags)
    {
        var hash = default(HashCode);
        foreach (var (key, value) in tags)
        {
            hash.Add(string.GetHashCode(key, StringComparison.Ordinal));
            hash.Add(string.GetHashCode(value.AsSpan()));
        }

        return hash.ToHashCode();
    }

    /// <summary>A tag value as label text; numbers are formatted invariantly into the buffer, without allocating.</summary>
    private static ReadOnlySpan<char> FormatValue(object? value, Span<char> buffer) => value switch
    {
        null => [],
        string text => text,
        bool flag => flag ? "true" : "false",
        ISpanFormattable formattable when formattable.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture) => buffer[..written],
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
