using Mesh.Testing.Kafka;

namespace Mesh.Messaging.Tests.Support;

/// <summary>Produces with kcat, an independent client, so poison messages do not depend on our own producer.</summary>
public static class KcatProducer
{
    /// <summary>Produces one message (the body must be a single line).</summary>
    public static Task ProduceAsync(string bootstrapServers, string topic, string key, string body, IReadOnlyDictionary<string, string> headers)
    {
        var arguments = new List<string> { "-P", "-b", bootstrapServers, "-t", topic, "-k", key };
        foreach (var (name, value) in headers)
        {
            arguments.Add("-H");
            arguments.Add($"{name}={value}");
        }

        return Kcat.RunCheckedAsync(arguments, stdin: body + "\n");
    }
}
