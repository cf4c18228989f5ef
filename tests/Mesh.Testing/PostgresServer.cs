using System.Diagnostics;
using Npgsql;

namespace Mesh.Testing;

/// <summary>
/// A real PostgreSQL 15 server in a temporary data folder on a free loopback port. Tests create their own
/// database with <see cref="CreateDatabaseAsync"/> so they never see each other's rows.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string BinDir = "/usr/lib/postgresql/15/bin";
    private readonly string dataDir;
    private int databases;

    private PostgresServer(string dataDir, int port)
    {
        this.dataDir = dataDir;
        Port = port;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Initializes and starts a server (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses root).</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        if (!File.Exists(Path.Combine(BinDir, "initdb")))
        {
            throw new InvalidOperationException("PostgreSQL 15 is not installed (apt-get install postgresql).");
        }
        var dir = Path.Combine(Path.GetTempPath(), "mesh-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var server = new PostgresServer(dir, Ports.Free());
        if (Environment.UserName == "root")
        {
            await Must(ProcessRunner.RunAsync("chown", ["postgres:postgres", dir]));
        }
        await Must(server.RunAsUserAsync("initdb", ["-D", dir, "-U", "mesh", "--auth=trust", "-E", "UTF8", "--no-sync"]));
        var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Must(server.RunAsUserAsync("pg_ctl", ["-D", dir, "-l", Path.Combine(dir, "server.log"), "-w", "-t", "30",
            "-o", $"-p {port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]));
        return server;
    }

    /// <summary>A connection string to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=mesh;Database={database};Pooling=true;Timeout=5";

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await RunAsUserAsync("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private Task<ProcessRunner.Result> RunAsUserAsync(string tool, string[] arguments) =>
        Environment.UserName == "root"
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(BinDir, tool), .. arguments])
            : ProcessRunner.RunAsync(Path.Combine(BinDir, tool), arguments);

    private static async Task Must(Task<ProcessRunner.Result> run)
    {
        var result = await run;
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"exit {result.ExitCode}: {result.StdErr}{result.StdOut}");
        }
    }
}
