using System.Runtime.InteropServices;

namespace Mesh.KafkaHost;

// The subset of librdkafka's C API (rdkafka.h, rdkafka_mock.h) the mock cluster needs.
internal static unsafe partial class Native
{
    private const string Library = "librdkafka.so.1";

    public const int ProducerType = 0;
    public const int ConfigOk = 0;

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(Library)]
    public static partial void rd_kafka_conf_destroy(IntPtr conf);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Library)]
    public static partial void rd_kafka_destroy(IntPtr handle);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_err2str(int error);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr handle, int brokerCount);

    [LibraryImport(Library)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(Library)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitionCount, int replicationFactor);
}
