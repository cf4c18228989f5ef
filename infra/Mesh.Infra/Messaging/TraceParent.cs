using System.Diagnostics;

namespace Mesh.Infra.Messaging;

/// <summary>The W3C <c>traceparent</c> header (version 00): <c>00-&lt;trace id&gt;-&lt;span id&gt;-&lt;flags&gt;</c>.</summary>
public static class TraceParent
{
    /// <summary>Formats a span context as a <c>traceparent</c> value.</summary>
    /// <param name="context">A valid span context.</param>
    /// <returns>For example <c>00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01</c>.</returns>
    public static string Format(ActivityContext context) =>
        $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}";

    /// <summary>Parses a <c>traceparent</c> value received from another process.</summary>
    /// <param name="value">The header value, or null when the header is absent.</param>
    /// <param name="context">The remote span context when the value is valid.</param>
    /// <returns>Whether <paramref name="value"/> is a valid <c>traceparent</c>.</returns>
    public static bool TryParse(string? value, out ActivityContext context)
    {
        if (value is not null && ActivityContext.TryParse(value, null, isRemote: true, out context))
        {
            return true;
        }

        context = default;
        return false;
    }

    /// <summary>
    /// The <c>traceparent</c> for an outgoing message: the given span's, else the current activity's, else a new
    /// unsampled trace, so that every message can be followed even when nothing records spans.
    /// </summary>
    /// <param name="span">The producer span, when one was started.</param>
    /// <returns>A valid <c>traceparent</c> value.</returns>
    public static string ForOutgoing(Activity? span)
    {
        var source = span ?? Activity.Current;
        if (source is not null && source.IdFormat == ActivityIdFormat.W3C)
        {
            return Format(source.Context);
        }

        return Format(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None));
    }
}
