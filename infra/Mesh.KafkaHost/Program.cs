using System.Diagnostics;
using System.Runtime.InteropServices;
using Mesh.Infra.Kafka;
using Mesh.KafkaHost;

HostOptions options;
KafkaTopicList topics;
try
{
    options = HostOptions.Parse(args);
    topics = KafkaTopicList.Load(options.TopicsPath).WithPrefix(options.TopicPrefix);
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException)
{
    await Console.Error.WriteLineAsync($"{e.Message}\n{HostOptions.Usage}");
    return 2;
}

var stop = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

try
{
    var startup = Stopwatch.StartNew();
    using var cluster = MockCluster.Start(options.Brokers);
    foreach (var topic in topics.Topics)
    {
        cluster.CreateTopic(topic.Name, topic.Partitions);
    }

    try
    {
        // The file appears only once every topic exists: whoever sees it can use the cluster.
        if (options.BootstrapFile is { } file)
        {
            BootstrapFile.Write(file, cluster.BootstrapServers);
        }

        Console.Out.WriteLine($"bootstrap={cluster.BootstrapServers}");
        Log.Info("cluster started", ("bootstrap", cluster.BootstrapServers), ("brokers", cluster.Brokers),
            ("topics", topics.Topics.Count), ("startup_ms", startup.ElapsedMilliseconds));

        // Commands come from a parent process over a pipe; reading a terminal from the background would stop the host.
        if (Console.IsInputRedirected)
        {
            _ = Task.Run(() => TopicCommands.Serve(Console.In, cluster));
        }

        if (options.ParentPid is { } parentPid)
        {
            _ = WatchParentAsync(parentPid);
        }

        Log.Info("stopping", ("reason", await stop.Task));
        return 0;
    }
    finally
    {
        if (options.BootstrapFile is { } file)
        {
            BootstrapFile.DeleteIfOwn(file, cluster.BootstrapServers);
        }
    }
}
catch (InvalidOperationException e)
{
    Log.Error("cluster failed", ("error", e.Message));
    return 1;
}

void Stop(PosixSignalContext context)
{
    // Handled here instead of by the runtime so the cluster and the bootstrap file are cleaned up.
    context.Cancel = true;
    stop.TrySetResult(context.Signal.ToString());
}

async Task WatchParentAsync(int pid)
{
    try
    {
        using var parent = Process.GetProcessById(pid);
        await parent.WaitForExitAsync();
    }
    catch (ArgumentException)
    {
        // The parent was gone before the watch began.
    }

    stop.TrySetResult($"parent process {pid} exited");
}
