using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Mesh.Infra.Kafka;

/// <summary>
/// Loads Debian's librdkafka (<c>librdkafka.so.1</c>) for the Confluent.Kafka client. The
/// client's own native package is not available here, so every process that uses Kafka calls
/// <see cref="EnsureLoaded"/> before it builds its first producer, consumer or admin client.
/// </summary>
public static class KafkaNative
{
    /// <summary>The file name of the librdkafka shared library that is loaded.</summary>
    public const string LibraryFileName = "librdkafka.so.1";

    private static readonly Lazy<bool> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads librdkafka once per process; later and concurrent calls return at once.
    /// </summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static bool Load()
    {
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        Library.Load(LibraryFileName);
        return true;
    }

    // Confluent.Kafka opens librdkafka through dlopen imported from "libdl"; Debian 12 ships
    // only the versioned libdl.so.2, so the plain name would not resolve.
    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == "libdl" ? NativeLibrary.Load("libdl.so.2", assembly, searchPath) : IntPtr.Zero;
}
