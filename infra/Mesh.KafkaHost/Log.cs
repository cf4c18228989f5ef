using System.Text.Json;

namespace Mesh.KafkaHost;

/// <summary>Structured JSON log lines on stdout, one object per line.</summary>
internal static class Log
{
    public static void Info(string message, params (string Name, object? Value)[] fields) =>
        Console.Out.WriteLine(Line("info", message, fields));

    public static void Error(string message, params (string Name, object? Value)[] fields) =>
        Console.Error.WriteLine(Line("error", message, fields));

    private static string Line(string level, string message, (string Name, object? Value)[] fields)
    {
        var entry = new Dictionary<string, object?>
        {
            ["timestamp"] = DateTimeOffset.UtcNow,
            ["level"] = level,
            ["service"] = "kafka-host",
            ["message"] = message,
        };
        foreach (var (name, value) in fields)
        {
            entry[name] = value;
        }

        return JsonSerializer.Serialize(entry);
    }
}
