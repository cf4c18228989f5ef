using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mesh.Infra.Messaging;

/// <summary>Where a dead letter sits in its dead-letter topic, written <c>&lt;partition&gt;-&lt;offset&gt;</c> (e.g. <c>0-17</c>).</summary>
/// <param name="Partition">The partition of the dead-letter topic.</param>
/// <param name="Offset">The offset within it.</param>
public readonly record struct DeadLetterId(int Partition, long Offset)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Partition}-{Offset}");

    /// <summary>Parses <c>&lt;partition&gt;-&lt;offset&gt;</c>, both non-negative decimal numbers.</summary>
    /// <param name="text">The text, or null.</param>
    /// <param name="id">The id when the text is well-formed.</param>
    /// <returns>Whether the text is a well-formed id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out DeadLetterId id)
    {
        id = default;
        if (text is null || text.Split('-') is not [var partition, var offset]
            || !int.TryParse(partition, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            || !long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out var o))
        {
            return false;
        }

        id = new DeadLetterId(p, o);
        return true;
    }
}
