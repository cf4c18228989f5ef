using System.Globalization;
using Mesh.Bench;

// Usage: Mesh.Bench topics [--topic-prefix P]            prints the topic list for the embedded cluster host
//        Mesh.Bench messaging --bootstrap B [--topic-prefix P] [--create-topics] [--messages N] [--rounds R] [--round-trips T]
var command = args.FirstOrDefault() ?? "";
var options = Options.Parse(args.Skip(1).ToArray());
var topics = new BenchTopics(options.GetValueOrDefault("--topic-prefix", ""));

switch (command)
{
    case "topics":
        Console.WriteLine(topics.ToTopicListJson());
        return 0;
    case "messaging":
        var bootstrap = options.GetValueOrDefault("--bootstrap") ?? throw new ArgumentException("--bootstrap is required");
        if (options.ContainsKey("--create-topics"))
        {
            await topics.CreateAsync(bootstrap);
        }

        await MessagingReport.RunAsync(
            topics, bootstrap,
            int.Parse(options.GetValueOrDefault("--messages", "10000"), CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("--rounds", "3"), CultureInfo.InvariantCulture),
            int.Parse(options.GetValueOrDefault("--round-trips", "500"), CultureInfo.InvariantCulture));
        return 0;
    default:
        await Console.Error.WriteLineAsync("usage: Mesh.Bench topics|messaging [options]");
        return 2;
}
