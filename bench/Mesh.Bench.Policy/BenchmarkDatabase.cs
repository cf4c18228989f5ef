using Mesh.Testing;

namespace Mesh.Bench.Policy;

/// <summary>
/// The database the benchmark fills: <c>POSTGRES_CONNECTION_STRING</c>'s database (the benchmark uses a store of its own)
/// when given, otherwise a throwaway PostgreSQL 15 started for the run.
/// </summary>
public sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly PostgresServer? server;

    private BenchmarkDatabase(string connectionString, PostgresServer? server)
    {
        ConnectionString = connectionString;
        this.server = server;
    }

    public string ConnectionString { get; }

    public static async Task<BenchmarkDatabase> OpenAsync()
    {
        if (Environment.GetEnvironmentVariable("POSTGRES_CONNECTION_STRING") is { Length: > 0 } given)
        {
            return new BenchmarkDatabase(given, null);
        }

        var server = await PostgresServer.StartAsync();
        return new BenchmarkDatabase(await server.CreateDatabaseAsync("bench"), server);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
