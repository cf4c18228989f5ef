using System.Collections.Concurrent;
using Mesh.Contracts.Tools;
using Mesh.Infra.Redis;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Mesh.ToolExecutor.Execution;

/// <summary>
/// How a tool call is cancelled (<see cref="ToolCancellation"/>): whoever cancels (the conversation worker, when a
/// turn is cancelled) sets the request's key (with a TTL, say an hour) and publishes the request id on the channel.
/// A request whose key exists is answered <c>cancelled</c> without running; a run in
/// progress on any executor is cancelled by the message and answered <c>cancelled</c>. A run registers before it
/// checks the key, so a cancel is never missed between the two.
/// </summary>
public sealed class CancellationSignals(RedisConnection redis) : IHostedService
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> running = new();

    /// <summary>Registers a run; its token fires when a cancel arrives. Dispose the registration when the run ends.</summary>
    public Registration Register(Guid requestId)
    {
        var source = new CancellationTokenSource();
        running[requestId] = source;
        return new Registration(this, requestId, source);
    }

    /// <summary>Whether the request was cancelled before this moment.</summary>
    public Task<bool> IsCancelledAsync(Guid requestId) => redis.Database.KeyExistsAsync(ToolCancellation.Key(requestId));

    public Task StartAsync(CancellationToken cancellationToken) =>
        redis.Multiplexer.GetSubscriber().SubscribeAsync(ToolCancellation.Channel, (_, message) =>
        {
            if (Guid.TryParse((string?)message, out var id) && running.TryGetValue(id, out var source))
            {
                try
                {
                    source.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The run ended at this very moment; there is nothing left to cancel.
                }
            }
        });

    public Task StopAsync(CancellationToken cancellationToken) => redis.Multiplexer.GetSubscriber().UnsubscribeAsync(ToolCancellation.Channel);

    public sealed class Registration(CancellationSignals owner, Guid requestId, CancellationTokenSource source) : IDisposable
    {
        public CancellationToken Token => source.Token;

        public void Dispose()
        {
            owner.running.TryRemove(new KeyValuePair<Guid, CancellationTokenSource>(requestId, source));
            source.Dispose();
        }
    }
}
