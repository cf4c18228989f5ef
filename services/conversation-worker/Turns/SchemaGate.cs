using Mesh.Observability.Hosting;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// Holds message handling until this process has applied the schema: the consumer starts with the host, and a
/// first message on a fresh database must wait for its tables rather than burn its retries and be dead-lettered.
/// </summary>
public sealed class SchemaGate(MigrationState migrations)
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);
    private volatile bool open;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (!open)
        {
            if (migrations.Pending is null)
            {
                open = true;
                return;
            }

            await Task.Delay(Pause, cancellationToken);
        }
    }
}
