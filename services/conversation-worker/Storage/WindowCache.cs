using System.Globalization;
using System.Text.Json;
using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using Mesh.Infra.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Mesh.ConversationWorker.Storage;

/// <summary>
/// The working window of each session in Redis, bounded by <see cref="WindowOptions"/>. A missing window is
/// rebuilt from the session log; since only the session's single writer changes it, read-modify-write is safe.
/// Redis being down costs the cache, never the turn: the window is then read from the log.
/// </summary>
public sealed class WindowCache(RedisConnection redis, EventLog log, IOptions<WindowOptions> options)
{
    private readonly WindowOptions settings = options.Value;

    public async Task<IReadOnlyList<LlmMessage>> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        try
        {
            var cached = await redis.Database.StringGetAsync(Key(sessionId));
            if (!cached.IsNull)
            {
                return JsonSerializer.Deserialize<List<LlmMessage>>((string)cached!, StateJson.Options)!;
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return await RebuildAsync(sessionId, cancellationToken);
        }

        var window = await RebuildAsync(sessionId, cancellationToken);
        await StoreAsync(sessionId, window);
        return window;
    }

    /// <summary>Adds a finished exchange to the window.</summary>
    public async Task AppendAsync(Guid sessionId, string question, string answer, CancellationToken cancellationToken)
    {
        var window = await GetAsync(sessionId, cancellationToken);
        await StoreAsync(sessionId, ConversationWindow.Append(window, question, answer, settings.MaxMessages, settings.MaxCharacters));
    }

    private async Task<IReadOnlyList<LlmMessage>> RebuildAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var exchanges = await log.ExchangesAsync(sessionId, (settings.MaxMessages + 1) / 2, cancellationToken);
        var messages = exchanges.SelectMany(e => new[] { new LlmMessage(ChatRoles.User, e.Question), new LlmMessage(ChatRoles.Assistant, e.Answer) }).ToList();
        return ConversationWindow.Trim(messages, settings.MaxMessages, settings.MaxCharacters);
    }

    private async Task StoreAsync(Guid sessionId, IReadOnlyList<LlmMessage> window)
    {
        try
        {
            await redis.Database.StringSetAsync(Key(sessionId), JsonSerializer.Serialize(window, StateJson.Options), settings.CacheTtl);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The log still has every exchange; the next turn rebuilds the window from it.
            await redis.Database.KeyDeleteAsync(Key(sessionId), CommandFlags.FireAndForget);
        }
    }

    public static RedisKey Key(Guid sessionId) => "cw:window:" + sessionId.ToString("D", CultureInfo.InvariantCulture);
}
