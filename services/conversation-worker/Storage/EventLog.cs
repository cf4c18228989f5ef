using System.Globalization;
using System.Text.Json;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Serialization;
using Mesh.ConversationWorker.Options;
using Mesh.Infra.Redis;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Mesh.ConversationWorker.Storage;

/// <summary>A page of a session's history, as JSON texts of conversation events in seq order.</summary>
/// <param name="Events">The events' JSON.</param>
/// <param name="NextAfter">The seq to ask after for the next page.</param>
/// <param name="FromHotList">Whether Redis served it.</param>
public sealed record HistoryPage(IReadOnlyList<string> Events, long NextAfter, bool FromHotList);

/// <summary>
/// A session's event log: every event in PostgreSQL (<c>session_events</c>), the newest
/// <see cref="HistoryOptions.HotEvents"/> also in a Redis list. The list is a cache that must never show a gap:
/// an event that does not follow the list's last seq (a push was lost) replaces the list, and a reader uses the
/// list only when it holds the whole range asked for, contiguously; otherwise it reads PostgreSQL.
/// </summary>
public sealed class EventLog(NpgsqlDataSource dataSource, RedisConnection redis, IOptions<HistoryOptions> options)
{
    private const string PushScript =
        """
        local last = tonumber(redis.call('GET', KEYS[2]) or '0')
        local seq = tonumber(ARGV[1])
        if seq <= last and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        if seq ~= last + 1 then redis.call('DEL', KEYS[1]) end
        redis.call('RPUSH', KEYS[1], ARGV[2])
        redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
        redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[4])
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        return 1
        """;

    private readonly HistoryOptions settings = options.Value;

    /// <summary>The commands that append events; a seq already taken (a second writer) fails with a unique violation.</summary>
    public static IEnumerable<NpgsqlBatchCommand> InsertCommands(IReadOnlyList<ConversationEvent> events)
    {
        foreach (var e in events)
        {
            var command = new NpgsqlBatchCommand(
                "INSERT INTO session_events (session_id, seq, event_id, turn_id, type, body, created_at) VALUES (@s, @seq, @id, @turn, @type, @body, @at)");
            command.Parameters.AddWithValue("s", e.SessionId);
            command.Parameters.AddWithValue("seq", e.Seq);
            command.Parameters.AddWithValue("id", e.EventId);
            command.Parameters.AddWithValue("turn", e.TurnId);
            command.Parameters.AddWithValue("type", MeshJson.WireName(e.Type));
            command.Parameters.Add(new NpgsqlParameter("body", NpgsqlDbType.Jsonb) { Value = MeshJson.Serialize(e) });
            command.Parameters.AddWithValue("at", e.CreatedAt);
            yield return command;
        }
    }

    /// <summary>The events of a turn after <paramref name="afterSeq"/>: what an interrupted step had already sent.</summary>
    public async Task<IReadOnlyList<ConversationEvent>> TurnEventsAfterAsync(Guid turnId, long afterSeq, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT body FROM session_events WHERE turn_id = @t AND seq > @after ORDER BY seq");
        command.Parameters.AddWithValue("t", turnId);
        command.Parameters.AddWithValue("after", afterSeq);
        var events = new List<ConversationEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(MeshJson.Deserialize<ConversationEvent>(reader.GetString(0)));
        }

        return events;
    }

    /// <summary>Adds an event to the Redis list (idempotent for a seq the list already has).</summary>
    public Task PushHotAsync(ConversationEvent e) =>
        redis.Database.ScriptEvaluateAsync(
            PushScript,
            [HotKey(e.SessionId), HotLastKey(e.SessionId)],
            [e.Seq, MeshJson.Serialize(e), settings.HotEvents, (long)settings.HotTtl.TotalSeconds]);

    /// <summary>Up to <paramref name="limit"/> events after <paramref name="after"/>: from Redis when it covers them, else PostgreSQL.</summary>
    public async Task<HistoryPage> ReadAsync(Guid sessionId, long after, int limit, CancellationToken cancellationToken)
    {
        if (await TryReadHotAsync(sessionId, after, limit) is { } hot)
        {
            return hot;
        }

        await using var command = dataSource.CreateCommand("SELECT seq, body FROM session_events WHERE session_id = @s AND seq > @after ORDER BY seq LIMIT @limit");
        command.Parameters.AddWithValue("s", sessionId);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", limit);
        var events = new List<string>();
        var last = after;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            last = reader.GetInt64(0);
            events.Add(reader.GetString(1));
        }

        return new HistoryPage(events, last, FromHotList: false);
    }

    /// <summary>Question and answer of the session's newest completed turns, oldest first: the source of the working window.</summary>
    public async Task<IReadOnlyList<(string Question, string Answer)>> ExchangesAsync(Guid sessionId, int count, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT q.body ->> 'text', a.body ->> 'text'
            FROM session_events a
            JOIN session_events q ON q.turn_id = a.turn_id AND q.session_id = a.session_id AND q.type = 'message.accepted'
            WHERE a.session_id = @s AND a.type = 'assistant.final'
            ORDER BY a.seq DESC
            LIMIT @n
            """);
        command.Parameters.AddWithValue("s", sessionId);
        command.Parameters.AddWithValue("n", count);
        var exchanges = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            exchanges.Add((reader.GetString(0), reader.GetString(1)));
        }

        exchanges.Reverse();
        return exchanges;
    }

    // The list answers only when its first event is at or before after+1 and the slice read is contiguous; a list
    // trimmed or replaced between the two reads shows up as a mismatch and PostgreSQL answers instead.
    private async Task<HistoryPage?> TryReadHotAsync(Guid sessionId, long after, int limit)
    {
        var database = redis.Database;
        var key = HotKey(sessionId);
        try
        {
            var first = await database.ListGetByIndexAsync(key, 0);
            if (first.IsNull)
            {
                return null;
            }

            var firstSeq = SeqOf(first!);
            if (firstSeq > after + 1)
            {
                return null;
            }

            var start = after + 1 - firstSeq;
            var values = await database.ListRangeAsync(key, start, start + limit - 1);
            var events = values.Select(v => (string)v!).ToList();
            for (var i = 0; i < events.Count; i++)
            {
                if (SeqOf(events[i]) != after + 1 + i)
                {
                    return null;
                }
            }

            return new HistoryPage(events, after + events.Count, FromHotList: true);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private static long SeqOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("seq").GetInt64();
    }

    private static RedisKey HotKey(Guid sessionId) => "cw:events:" + sessionId.ToString("D", CultureInfo.InvariantCulture);

    private static RedisKey HotLastKey(Guid sessionId) => "cw:events-last:" + sessionId.ToString("D", CultureInfo.InvariantCulture);
}
