using System.Runtime.InteropServices;
using System.Text;
using Mesh.Infra.Kafka;

namespace Mesh.KafkaHost;

/// <summary>librdkafka's in-memory Kafka cluster, listening on random loopback ports.</summary>
internal sealed unsafe class MockCluster(IntPtr handle, IntPtr cluster, int brokers) : IDisposable
{
    private const int ErrorBufferSize = 512;
    private readonly Lock _gate = new();
    private bool _disposed;

    public int Brokers { get; } = brokers;

    public string BootstrapServers { get; } =
        Marshal.PtrToStringUTF8(Native.rd_kafka_mock_cluster_bootstraps(cluster)) ?? "";

    public static MockCluster Start(int brokers)
    {
        var errors = stackalloc byte[ErrorBufferSize];
        var conf = Native.rd_kafka_conf_new();
        // The handle only owns the cluster; it never connects anywhere, so its
        // "no bootstrap.servers" warning is noise.
        if (Native.rd_kafka_conf_set(conf, "log_level", "3", errors, ErrorBufferSize) != Native.ConfigOk
            || Native.rd_kafka_conf_set(conf, "client.id", "mesh-kafka-host", errors, ErrorBufferSize) != Native.ConfigOk)
        {
            Native.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"librdkafka configuration failed: {Text(errors)}");
        }

        var handle = Native.rd_kafka_new(Native.ProducerType, conf, errors, ErrorBufferSize);
        if (handle == IntPtr.Zero)
        {
            Native.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {Text(errors)}");
        }

        var cluster = Native.rd_kafka_mock_cluster_new(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            Native.rd_kafka_destroy(handle);
            throw new InvalidOperationException($"rd_kafka_mock_cluster_new failed for {brokers} brokers.");
        }

        var started = new MockCluster(handle, cluster, brokers);
        if (ListenerSockets.DisableNagle(started.BootstrapServers) != brokers)
        {
            started.Dispose();
            throw new InvalidOperationException("Could not set TCP_NODELAY on every broker's listening socket.");
        }

        return started;
    }

    public void CreateTopic(string name, int partitions)
    {
        // The mock takes any name; refusing what a real broker refuses keeps development honest.
        if (!KafkaTopic.IsValidName(name))
        {
            throw new InvalidOperationException($"'{name}' is not a valid Kafka topic name.");
        }

        int error;
        // Topics are also created from the command reader; the lock keeps that off a destroyed cluster.
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            error = Native.rd_kafka_mock_topic_create(cluster, name, partitions, Math.Min(3, Brokers));
        }

        if (error != 0)
        {
            throw new InvalidOperationException(
                $"Creating topic '{name}' failed: {Marshal.PtrToStringUTF8(Native.rd_kafka_err2str(error))}");
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Native.rd_kafka_mock_cluster_destroy(cluster);
            Native.rd_kafka_destroy(handle);
        }
    }

    private static string Text(byte* buffer) =>
        Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buffer));
}
