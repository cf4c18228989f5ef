using StackExchange.Redis;

namespace Mesh.Infra.Redis;

/// <summary>
/// The process's one Redis multiplexer. Created without aborting when Redis is down, so a service starts,
/// reports not-ready, and reconnects by itself when Redis returns.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly ConnectionMultiplexer multiplexer;

    /// <summary>Connects (lazily retrying) with the given StackExchange.Redis configuration string.</summary>
    public RedisConnection(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, 3000);
        options.SyncTimeout = Math.Min(options.SyncTimeout, 3000);
        multiplexer = ConnectionMultiplexer.Connect(options);
    }

    /// <summary>The multiplexer, for pub/sub and server commands.</summary>
    public ConnectionMultiplexer Multiplexer => multiplexer;

    /// <summary>The default database.</summary>
    public IDatabase Database => multiplexer.GetDatabase();

    /// <summary>Round-trips a PING; throws when Redis cannot be reached.</summary>
    public Task<TimeSpan> PingAsync() => multiplexer.GetDatabase().PingAsync();

    /// <inheritdoc />
    public void Dispose() => multiplexer.Dispose();
}
