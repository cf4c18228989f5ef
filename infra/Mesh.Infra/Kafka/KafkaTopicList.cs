using System.Text.Json;

namespace Mesh.Infra.Kafka;

/// <summary>One topic of the mesh's topic list.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Partitions">The number of partitions the topic is created with.</param>
public sealed record KafkaTopic(string Name, int Partitions)
{
    /// <summary>
    /// True for a name Kafka accepts: 1 to 249 ASCII letters, digits, '.', '_' or '-', and neither "." nor "..".
    /// </summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 249
        && name is not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}

/// <summary>
/// The mesh's topic list, <c>infra/kafka/topics.json</c>:
/// <c>{"topics":[{"name":"conversation.inbound","partitions":6}, ...]}</c>.
/// It is the one place that fixes which topics exist and how many partitions each has.
/// </summary>
/// <param name="Topics">The topics in file order.</param>
public sealed record KafkaTopicList(IReadOnlyList<KafkaTopic> Topics)
{
    /// <summary>The file name of the topic list.</summary>
    public const string FileName = "topics.json";

    /// <summary>Reads and validates a topic list file.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid topic list.</exception>
    public static KafkaTopicList Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Parses and validates a topic list.</summary>
    /// <exception cref="InvalidDataException">The text is not a valid topic list.</exception>
    public static KafkaTopicList Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var topics = new List<KafkaTopic>();
            foreach (var entry in document.RootElement.GetProperty("topics").EnumerateArray())
            {
                var name = entry.GetProperty("name").GetString();
                var partitions = entry.GetProperty("partitions").GetInt32();
                if (name is null || !KafkaTopic.IsValidName(name) || partitions < 1)
                {
                    throw new InvalidDataException($"Topic entry {entry} needs a valid Kafka topic name and at least one partition.");
                }

                if (topics.Exists(t => t.Name == name))
                {
                    throw new InvalidDataException($"Topic '{name}' is listed twice.");
                }

                topics.Add(new KafkaTopic(name, partitions));
            }

            return new KafkaTopicList(topics);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"Not a valid topic list: {e.Message}", e);
        }
    }

    /// <summary>Returns the same topics with <paramref name="prefix"/> put before every name.</summary>
    public KafkaTopicList WithPrefix(string prefix) =>
        new(Topics.Select(t => t with { Name = prefix + t.Name }).ToList());
}
