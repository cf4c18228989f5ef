using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Mesh.Observability.Logging;

/// <summary>Options of the mesh's JSON log lines.</summary>
public sealed class MeshJsonConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>The <c>service</c> field of every line.</summary>
    public string Service { get; set; } = "unknown";
}

/// <summary>
/// One JSON object per line with the fields architecture.md fixes: <c>service</c>, <c>trace_id</c> and, where a
/// scope or the message template carries them, <c>tenant_id</c>, <c>session_id</c>, <c>request_id</c>.
/// Only those correlation fields are lifted from scopes and template values; other values appear only in the
/// rendered message, which callers keep free of message content and secrets.
/// </summary>
public sealed class MeshJsonConsoleFormatter(IOptionsMonitor<MeshJsonConsoleFormatterOptions> options)
    : ConsoleFormatter(FormatterName)
{
    /// <summary>The formatter's registered name.</summary>
    public const string FormatterName = "mesh-json";

    private static readonly string[] CorrelationFields = ["tenant_id", "session_id", "request_id", "execution_id", "turn_id"];

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        scopeProvider?.ForEachScope((scope, state) => Lift(scope, state), fields);
        Lift(logEntry.State, fields);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("ts", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", Level(logEntry.LogLevel));
            json.WriteString("service", options.CurrentValue.Service);
            json.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Id != 0)
            {
                json.WriteNumber("event_id", logEntry.EventId.Id);
            }
            json.WriteString("message", message);
            var activity = Activity.Current;
            if (activity is not null)
            {
                json.WriteString("trace_id", activity.TraceId.ToHexString());
                json.WriteString("span_id", activity.SpanId.ToHexString());
            }
            foreach (var field in CorrelationFields)
            {
                if (fields.TryGetValue(field, out var value))
                {
                    json.WriteString(field, value);
                }
            }
            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception_type", exception.GetType().FullName);
                json.WriteString("exception", exception.ToString());
            }
            json.WriteEndObject();
        }
        textWriter.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        textWriter.Write(Environment.NewLine);
    }

    private static void Lift(object? state, Dictionary<string, string> fields)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            return;
        }
        foreach (var (key, value) in pairs)
        {
            if (value is not null && Array.IndexOf(CorrelationFields, key) >= 0)
            {
                fields[key] = value.ToString() ?? "";
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        LogLevel.Critical => "fatal",
        _ => "none",
    };
}
