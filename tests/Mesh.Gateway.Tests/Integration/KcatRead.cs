using System.Globalization;
using Mesh.Testing.Kafka;

namespace Mesh.Gateway.Tests.Integration;

/// <summary>Reads a topic with kcat, the independent Kafka client, so these tests do not trust the mesh's own client.</summary>
public static class KcatRead
{
    private const char Separator = '\u001f';

    /// <summary>Every message of <paramref name="topic"/> with key <paramref name="key"/>, in offset order within the partition.</summary>
    public static async Task<List<ConsumedMessage>> AllAsync(string bootstrap, string topic, string key)
    {
        var output = await Kcat.RunCheckedAsync(["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", $"%p{Separator}%o{Separator}%k{Separator}%h{Separator}%s\\n"]);
        var messages = new List<ConsumedMessage>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(Separator);
            if (parts.Length != 5 || parts[2] != key)
            {
                continue;
            }
            var headers = parts[3].Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(h => h.Split('=', 2))
                .ToDictionary(h => h[0], h => h.Length > 1 ? h[1] : "");
            messages.Add(new ConsumedMessage(topic, int.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[4], headers));
        }
        return [.. messages.OrderBy(m => m.Offset)];
    }
}
