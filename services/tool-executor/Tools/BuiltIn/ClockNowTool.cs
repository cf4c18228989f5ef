using System.Globalization;
using System.Text.Json;
using Mesh.ToolExecutor.Domain;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary><c>clock.now</c>: the current time in UTC and in an IANA time zone.</summary>
public sealed class ClockNowTool(TimeProvider time) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "clock.now",
        "The current date and time in UTC and in the given IANA time zone (time_zone, e.g. Europe/Zurich; default UTC).",
        """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "time_zone": { "type": "string", "minLength": 1, "maxLength": 64 }
          }
        }
        """,
        timeout: TimeSpan.FromSeconds(2),
        idempotent: true);

    public Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var zoneId = call.Arguments.TryGetProperty("time_zone", out var z) ? z.GetString()! : "UTC";
        var zone = Resolve(zoneId);
        var utc = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(utc, zone);
        return Task.FromResult(ToolSchemas.Output(new
        {
            utc = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            local = local.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
            time_zone = zone.Id,
            utc_offset = local.ToString("zzz", CultureInfo.InvariantCulture),
            is_daylight_saving_time = zone.IsDaylightSavingTime(local),
            day_of_week = local.DayOfWeek.ToString(),
            unix_ms = utc.ToUnixTimeMilliseconds(),
        }));
    }

    /// <summary>The zone with IANA id <paramref name="id"/>; Windows ids and unknown names are refused.</summary>
    public static TimeZoneInfo Resolve(string id)
    {
        if (id is "UTC" or "Etc/UTC")
        {
            return TimeZoneInfo.Utc;
        }
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId)
        {
            return zone;
        }
        throw new ToolArgumentException($"'{id}' is not an IANA time zone id (for example Europe/Zurich or America/New_York).");
    }
}
