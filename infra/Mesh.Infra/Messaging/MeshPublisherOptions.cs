namespace Mesh.Infra.Messaging;

/// <summary>Settings of a <see cref="MeshPublisher"/>.</summary>
public sealed class MeshPublisherOptions
{
    /// <summary>The cluster; by default the service's <c>KAFKA_BOOTSTRAP_SERVERS</c>.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>The client id brokers log.</summary>
    public string ClientId { get; set; } = "mesh-publisher";

    /// <summary>How long disposing waits for messages still in flight to be delivered.</summary>
    public TimeSpan FlushTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a setting is unusable, so a misconfigured service fails at start.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new InvalidOperationException("MeshPublisherOptions.BootstrapServers is not set.");
        }

        if (FlushTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("MeshPublisherOptions.FlushTimeout must be positive.");
        }
    }
}
