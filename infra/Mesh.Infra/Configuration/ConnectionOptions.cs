using Microsoft.Extensions.Configuration;

namespace Mesh.Infra.Configuration;

/// <summary>
/// Where the shared stateful components are. Read from the flat environment names that
/// architecture.md fixes, so the same variables configure every service.
/// </summary>
public sealed class ConnectionOptions
{
    /// <summary>Kafka bootstrap servers (<c>KAFKA_BOOTSTRAP_SERVERS</c>).</summary>
    public string KafkaBootstrapServers { get; set; } = "";

    /// <summary>StackExchange.Redis configuration string (<c>REDIS_CONNECTION</c>).</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>Npgsql connection string (<c>POSTGRES_CONNECTION_STRING</c>).</summary>
    public string Postgres { get; set; } = "Host=127.0.0.1;Port=5432;Database=mesh;Username=mesh";

    /// <summary>Reads the options from configuration (environment variables included).</summary>
    public static ConnectionOptions From(IConfiguration configuration)
    {
        var options = new ConnectionOptions();
        options.KafkaBootstrapServers = configuration["KAFKA_BOOTSTRAP_SERVERS"] ?? options.KafkaBootstrapServers;
        options.Redis = configuration["REDIS_CONNECTION"] ?? options.Redis;
        options.Postgres = configuration["POSTGRES_CONNECTION_STRING"] ?? options.Postgres;
        return options;
    }

    /// <summary>Throws when a required setting is missing, so a misconfigured service fails at start.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(KafkaBootstrapServers))
        {
            throw new InvalidOperationException("KAFKA_BOOTSTRAP_SERVERS is not set.");
        }
        if (string.IsNullOrWhiteSpace(Redis))
        {
            throw new InvalidOperationException("REDIS_CONNECTION is empty.");
        }
        if (string.IsNullOrWhiteSpace(Postgres))
        {
            throw new InvalidOperationException("POSTGRES_CONNECTION_STRING is empty.");
        }
    }
}
