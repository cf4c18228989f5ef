using System.Diagnostics;
using System.Text.Json;
using Mesh.Infra.Kafka;
using Mesh.Testing;
using Mesh.Testing.Kafka;
using NUnit.Framework;

// Outside Mesh.Platform.Tests on purpose: the host needs none of the services that
// namespace's set-up fixture starts.
namespace Mesh.KafkaHost.Tests;

public sealed class KafkaHostTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private EmbeddedKafka _kafka = null!;

    [OneTimeSetUp]
    public async Task StartHostAsync() => _kafka = await EmbeddedKafka.StartHostAsync(EmbeddedKafka.NewTopicPrefix());

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _kafka.DisposeAsync();

    [Test]
    public async Task Host_serves_three_brokers_and_every_listed_topic_with_its_partition_count()
    {
        var metadata = await MetadataAsync(_kafka.BootstrapServers);
        var expected = EmbeddedKafka.MeshTopics.WithPrefix(_kafka.TopicPrefix).Topics;

        Assert.Multiple(() =>
        {
            Assert.That(metadata.Brokers, Is.EqualTo(3));
            Assert.That(expected, Has.Count.GreaterThanOrEqualTo(10), "topics.json lists the mesh topics and their DLQs");
            foreach (var topic in expected)
            {
                Assert.That(metadata.Partitions.GetValueOrDefault(topic.Name), Is.EqualTo(topic.Partitions), topic.Name);
            }
        });
    }

    [Test]
    public void Topic_list_co_partitions_inbound_with_tool_results_and_gives_every_topic_a_dlq()
    {
        var partitions = EmbeddedKafka.MeshTopics.Topics.ToDictionary(t => t.Name, t => t.Partitions);
        var mainTopics = partitions.Keys.Where(name => !name.EndsWith(".dlq", StringComparison.Ordinal)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(partitions["tool.results"], Is.EqualTo(partitions["conversation.inbound"]));
            Assert.That(mainTopics, Is.SupersetOf(new[]
            {
                "conversation.inbound", "conversation.outbound", "tool.requests", "tool.results", "policy.decisions",
            }));
            Assert.That(mainTopics.Select(name => name + ".dlq"), Is.SubsetOf(partitions.Keys));
        });
    }

    [TestCase("""{"topics":[{"name":"a","partitions":1},{"name":"a","partitions":2}]}""", "listed twice")]
    [TestCase("""{"topics":[{"name":"no spaces","partitions":1}]}""", "valid Kafka topic name")]
    [TestCase("""{"topics":[{"name":"a","partitions":0}]}""", "at least one partition")]
    [TestCase("""[{"name":"a","partitions":1}]""", "Not a valid topic list")]
    public void Topic_list_with_a_mistake_is_refused_naming_it(string json, string reason)
    {
        var refused = Assert.Throws<InvalidDataException>(() => KafkaTopicList.Parse(json));

        Assert.That(refused.Message, Does.Contain(reason));
    }

    [Test]
    public async Task Topic_created_on_request_has_the_requested_partitions()
    {
        var topic = await _kafka.CreateUniqueTopicAsync("created-on-request", 5);

        var metadata = await MetadataAsync(_kafka.BootstrapServers);

        Assert.That(metadata.Partitions.GetValueOrDefault(topic), Is.EqualTo(5));
    }

    [Test]
    public void Topic_with_a_name_kafka_refuses_is_not_created()
    {
        var refused = Assert.ThrowsAsync<InvalidOperationException>(() => _kafka.CreateTopicAsync("no/slashes", 1));

        Assert.That(refused.Message, Does.Contain("not a valid Kafka topic name"));
    }

    [Test]
    public async Task Messages_produced_by_kcat_reach_our_client_with_keys_values_and_headers()
    {
        var topic = await _kafka.CreateUniqueTopicAsync("kcat-to-client", 3);

        await Kcat.RunCheckedAsync(
            ["-P", "-b", _kafka.BootstrapServers, "-t", topic, "-K", "|",
             "-H", "message-id=m-1", "-H", "tenant-id=tenant-a", "-X", "enable.idempotence=true"],
            stdin: "session-1|hello\nsession-2|world\n");
        var messages = await TestConsumer.ConsumeAsync(_kafka.BootstrapServers, topic, 2, Deadline);

        var byKey = messages.ToDictionary(m => m.Key ?? "", m => m);
        Assert.Multiple(() =>
        {
            Assert.That(byKey.Keys, Is.EquivalentTo(new[] { "session-1", "session-2" }));
            Assert.That(byKey["session-1"].Value, Is.EqualTo("hello"));
            Assert.That(byKey["session-2"].Value, Is.EqualTo("world"));
            Assert.That(messages.Select(m => m.Headers.GetValueOrDefault("message-id")), Is.All.EqualTo("m-1"));
            Assert.That(messages.Select(m => m.Headers.GetValueOrDefault("tenant-id")), Is.All.EqualTo("tenant-a"));
        });
    }

    [Test]
    public async Task Bootstrap_file_appears_once_topics_exist_and_is_removed_on_sigterm()
    {
        var directory = Directory.CreateTempSubdirectory("kafka-host-");
        var file = Path.Combine(directory.FullName, "state", "kafka.bootstrap");
        var prefix = EmbeddedKafka.NewTopicPrefix();
        using var host = StartHost("--bootstrap-file", file, "--topic-prefix", prefix);
        try
        {
            await Poll.UntilAsync(() => File.Exists(file), Deadline, "the bootstrap file");
            var bootstrap = (await File.ReadAllTextAsync(file)).Trim();
            var metadata = await MetadataAsync(bootstrap);

            await ProcessRunner.RunAsync("kill", ["-TERM", $"{host.Id}"]);
            await host.WaitForExitAsync().WaitAsync(Deadline);

            Assert.Multiple(() =>
            {
                Assert.That(bootstrap, Does.Match(@"^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){2}$"));
                Assert.That(metadata.Partitions.GetValueOrDefault(prefix + "conversation.inbound"), Is.EqualTo(6));
                Assert.That(host.ExitCode, Is.Zero);
                Assert.That(File.Exists(file), Is.False, "the bootstrap file is removed on exit");
            });
        }
        finally
        {
            host.Kill(entireProcessTree: true);
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Host_stops_when_its_parent_process_exits()
    {
        using var parent = Process.Start("sleep", "60") ?? throw new InvalidOperationException("sleep did not start.");
        var file = Path.Combine(Path.GetTempPath(), $"kafka-host-{Guid.NewGuid():N}.bootstrap");
        using var host = StartHost("--parent-pid", $"{parent.Id}", "--bootstrap-file", file);
        try
        {
            await Poll.UntilAsync(() => File.Exists(file), Deadline, "the bootstrap file");
            Assert.That(host.HasExited, Is.False, "the host runs while its parent does");

            parent.Kill();
            await host.WaitForExitAsync().WaitAsync(Deadline);

            Assert.Multiple(() =>
            {
                Assert.That(host.ExitCode, Is.Zero);
                Assert.That(File.Exists(file), Is.False);
            });
        }
        finally
        {
            parent.Kill();
            host.Kill(entireProcessTree: true);
        }
    }

    private static Process StartHost(params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(EmbeddedKafka.HostDllPath);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("The Kafka host did not start.");
        process.OutputDataReceived += (_, e) => Report(e.Data);
        process.ErrorDataReceived += (_, e) => Report(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Report(string? line)
    {
        if (line is not null)
        {
            TestContext.Progress.WriteLine(line);
        }
    }

    private static async Task<ClusterMetadata> MetadataAsync(string bootstrapServers)
    {
        using var json = JsonDocument.Parse(await Kcat.RunCheckedAsync(["-L", "-J", "-b", bootstrapServers]));
        var brokers = json.RootElement.GetProperty("brokers").GetArrayLength();
        var partitions = json.RootElement.GetProperty("topics").EnumerateArray().ToDictionary(
            t => t.GetProperty("topic").GetString()!,
            t => t.GetProperty("partitions").GetArrayLength());
        return new ClusterMetadata(brokers, partitions);
    }

    private sealed record ClusterMetadata(int Brokers, IReadOnlyDictionary<string, int> Partitions);
}
