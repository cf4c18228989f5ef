using System.Globalization;

namespace Mesh.KafkaHost;

/// <summary>The command line of the Kafka host.</summary>
internal sealed record HostOptions(int Brokers, string TopicsPath, string? BootstrapFile, string TopicPrefix, int? ParentPid)
{
    public const string Usage = """
        usage: Mesh.KafkaHost [--brokers N] [--topics PATH] [--bootstrap-file PATH] [--topic-prefix P] [--parent-pid PID]
          --brokers N            brokers in the cluster (default 3)
          --topics PATH          topic list (default topics.json next to the program)
          --bootstrap-file PATH  write the bootstrap string there once every topic exists; removed on exit
          --topic-prefix P       put P before every topic name of the list
          --parent-pid PID       stop when process PID exits
        stdin commands: "create-topic NAME PARTITIONS" answers "topic-created=NAME" or "topic-failed=NAME REASON"
        """;

    /// <exception cref="ArgumentException">The command line is not valid.</exception>
    public static HostOptions Parse(IReadOnlyList<string> args)
    {
        var options = new HostOptions(3, Path.Combine(AppContext.BaseDirectory, "topics.json"), null, "", null);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option {args[i]} needs a value.");
            }

            var value = args[i + 1];
            options = args[i] switch
            {
                "--brokers" => options with { Brokers = PositiveInt(args[i], value) },
                "--topics" => options with { TopicsPath = Path.GetFullPath(value) },
                "--bootstrap-file" => options with { BootstrapFile = Path.GetFullPath(value) },
                "--topic-prefix" => options with { TopicPrefix = value },
                "--parent-pid" => options with { ParentPid = PositiveInt(args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return options;
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"Option {option} needs a positive integer, got '{value}'.");
}
