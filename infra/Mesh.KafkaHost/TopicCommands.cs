using System.Globalization;

namespace Mesh.KafkaHost;

/// <summary>
/// Creates topics on request from stdin, because the cluster answers the Admin API's
/// CreateTopics with a timeout: "create-topic NAME PARTITIONS" answers on stdout with
/// "topic-created=NAME" or "topic-failed=NAME REASON".
/// </summary>
internal static class TopicCommands
{
    public static void Serve(TextReader input, MockCluster cluster)
    {
        while (input.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            if (parts is not ["create-topic", var name, var count])
            {
                Log.Error("unknown command", ("command", line));
                continue;
            }

            if (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var partitions) || partitions < 1)
            {
                Console.Out.WriteLine($"topic-failed={name} partitions must be a positive integer, got '{count}'");
                continue;
            }

            try
            {
                cluster.CreateTopic(name, partitions);
                Console.Out.WriteLine($"topic-created={name}");
            }
            catch (InvalidOperationException e)
            {
                Console.Out.WriteLine($"topic-failed={name} {e.Message}");
            }
        }
    }
}
