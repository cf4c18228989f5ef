using System.Text;
using System.Text.Json;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>One Server-Sent Event: its id and its data as JSON (default for a comment or retry block).</summary>
public sealed record SseEvent(string? Id, JsonElement Json, string Raw);

/// <summary>Reads a text/event-stream block by block (blocks end with an empty line).</summary>
public sealed class SseReader(Stream stream)
{
    private readonly StreamReader reader = new(stream, Encoding.UTF8);

    /// <summary>The next block, comments and retry blocks included.</summary>
    public async Task<SseEvent> ReadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string? id = null;
        var data = new StringBuilder();
        var raw = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException("The stream ended.");
            raw.AppendLine(line);
            if (line.Length == 0)
            {
                if (raw.Length > Environment.NewLine.Length)
                {
                    return new SseEvent(id, data.Length == 0 ? default : JsonDocument.Parse(data.ToString()).RootElement.Clone(), raw.ToString());
                }
                continue;
            }
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line[6..]);
            }
        }
    }

    /// <summary>The next block that carries an event (comments and retry blocks skipped).</summary>
    public async Task<SseEvent> ReadEventAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var block = await ReadAsync(deadline - DateTime.UtcNow);
            if (block.Id is not null)
            {
                return block;
            }
        }
    }
}
