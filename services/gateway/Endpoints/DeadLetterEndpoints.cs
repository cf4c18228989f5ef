using System.Text;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;
using Mesh.Infra.Auth;
using Mesh.Infra.Configuration;
using Mesh.Infra.Messaging;
using Npgsql;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// Dead-letter operations for admins under <c>/v1/admin/dlq/{topic}</c>: list a topic's dead letters, inspect one
/// (with its body), replay it to its source topic, or discard it (later listings hide it). Every inspect, replay
/// and discard is written to <c>dead_letter_actions</c> before it takes effect. A tenant's admin sees the letters
/// of its tenant; a service key, the platform operators', sees all of them, including letters without a tenant.
/// Bodies are returned only by inspect and never logged.
/// </summary>
public static partial class DeadLetterEndpoints
{
    public sealed record DeadLetterView(
        string Id, int Partition, long Offset, string? Key, DateTimeOffset Timestamp, string? ErrorType, string? ErrorMessage,
        string? SourceTopic, int? SourcePartition, long? SourceOffset, string? FailedAt, int? Attempt, string? TenantId,
        string? MessageId, string? CorrelationId, string? Schema, string? ReplayedFrom, int SizeBytes)
    {
        public static DeadLetterView Of(DeadLetter letter) => new(
            letter.Id.ToString(), letter.Id.Partition, letter.Id.Offset, letter.KeyText, letter.Timestamp, letter.ErrorType, letter.ErrorMessage,
            letter.Header(MeshHeaders.SourceTopic), letter.SourcePartition, letter.SourceOffset, letter.Header(MeshHeaders.FailedAt), letter.Attempt,
            letter.TenantId, letter.Header(MeshHeaders.MessageId), letter.Header(MeshHeaders.CorrelationId), letter.Header(MeshHeaders.Schema),
            letter.Header(MeshHeaders.ReplayedFrom), letter.Value.Length);
    }

    public sealed record DeadLetterPageView(string Topic, string DeadLetterTopic, IReadOnlyList<DeadLetterView> Items, string? NextAfter);

    public sealed record InspectedView(DeadLetterView Letter, IReadOnlyDictionary<string, string> Headers, string Value);

    public sealed record ReplayedView(string Id, string ReplayedTo, int Partition, long Offset);

    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;
    private const int MaxReasonLength = 500;

    public static IEndpointRouteBuilder MapDeadLetterApi(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var queue = new DeadLetterQueue(services.GetRequiredService<ConnectionOptions>().KafkaBootstrapServers, "mesh-gateway-dlq");
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(queue.Dispose);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DeadLetterEndpoints));

        var dlq = endpoints.MapGroup("/v1/admin/dlq/{topic}").RequireAuthorization(MeshAuth.Admin);
        dlq.MapGet("", (string topic, string? limit, string? after, HttpContext http, NpgsqlDataSource db) =>
            Guard(topic, null, null, _ => ListAsync(queue, topic, limit, after, http, db)));
        dlq.MapGet("/{id}", (string topic, string id, HttpContext http, NpgsqlDataSource db) =>
            Guard(topic, id, null, letter => InspectAsync(queue, topic, letter, http, db, logger)));
        dlq.MapPost("/{id}/replay", (string topic, string id, string? reason, HttpContext http, NpgsqlDataSource db) =>
            Guard(topic, id, reason, letter => ReplayAsync(queue, topic, letter, reason, http, db, logger)));
        dlq.MapDelete("/{id}", (string topic, string id, string? reason, HttpContext http, NpgsqlDataSource db) =>
            Guard(topic, id, reason, letter => DiscardAsync(queue, topic, letter, reason, http, db, logger)));
        return endpoints;
    }

    private static async Task<IResult> ListAsync(DeadLetterQueue queue, string topic, string? limitText, string? afterText, HttpContext http, NpgsqlDataSource db)
    {
        if (!QueryValues.TryLong(limitText, 1, MaxLimit, out var limit))
        {
            return GatewayProblems.Invalid($"limit must be an integer from 1 to {MaxLimit}.");
        }

        DeadLetterId? after = null;
        if (!string.IsNullOrEmpty(afterText))
        {
            if (!DeadLetterId.TryParse(afterText, out var position))
            {
                return InvalidId();
            }

            after = position;
        }

        var caller = http.User.Caller();
        var discarded = await DiscardedAsync(db, topic, http.RequestAborted);
        var page = await queue.ListAsync(
            topic, after, (int)(limit ?? DefaultLimit),
            letter => Visible(letter, caller) && !discarded.Contains((letter.Id.ToString(), letter.Fingerprint)),
            cancellationToken: http.RequestAborted);
        return GatewayJson.Ok(new DeadLetterPageView(topic, MeshTopics.Dlq(topic), [.. page.Items.Select(DeadLetterView.Of)], page.Next?.ToString()));
    }

    private static async Task<IResult> InspectAsync(
        DeadLetterQueue queue, string topic, DeadLetterId id, HttpContext http, NpgsqlDataSource db, ILogger logger)
    {
        var caller = http.User.Caller();
        if (await FindVisibleAsync(queue, topic, id, caller, db, http.RequestAborted) is not { } letter)
        {
            return NotFound(topic, id);
        }

        await RecordAsync(db, caller, letter, "inspect", null, "shown", http.RequestAborted);
        DeadLetterLog.Acted(logger, "inspected", topic, letter.Id.ToString(), caller.Actor, caller.TenantId);
        return GatewayJson.Ok(new InspectedView(DeadLetterView.Of(letter), letter.Headers, Encoding.UTF8.GetString(letter.Value)));
    }

    private static async Task<IResult> ReplayAsync(
        DeadLetterQueue queue, string topic, DeadLetterId id, string? reason, HttpContext http, NpgsqlDataSource db, ILogger logger)
    {
        var caller = http.User.Caller();
        if (await FindVisibleAsync(queue, topic, id, caller, db, http.RequestAborted) is not { } letter)
        {
            return NotFound(topic, id);
        }

        // Recorded before it happens, so that no replay goes unaudited even if this process dies half-way.
        var action = await RecordAsync(db, caller, letter, "replay", reason, "started", http.RequestAborted);
        TopicPartitionOffset replayed;
        try
        {
            replayed = await queue.ReplayAsync(letter, http.RequestAborted);
        }
        catch (KafkaException e)
        {
            await SetResultAsync(db, action, "failed: " + e.Error.Reason, CancellationToken.None);
            throw;
        }

        await SetResultAsync(db, action, $"replayed to {replayed.Topic} partition {replayed.Partition.Value} offset {replayed.Offset.Value}", CancellationToken.None);
        DeadLetterLog.Acted(logger, "replayed", topic, letter.Id.ToString(), caller.Actor, caller.TenantId);
        return GatewayJson.Ok(new ReplayedView(letter.Id.ToString(), replayed.Topic, replayed.Partition.Value, replayed.Offset.Value));
    }

    private static async Task<IResult> DiscardAsync(
        DeadLetterQueue queue, string topic, DeadLetterId id, string? reason, HttpContext http, NpgsqlDataSource db, ILogger logger)
    {
        var caller = http.User.Caller();
        if (await FindVisibleAsync(queue, topic, id, caller, db, http.RequestAborted) is not { } letter
            || await RecordAsync(db, caller, letter, "discard", reason, "hidden from listings", http.RequestAborted) is null)
        {
            return NotFound(topic, id);
        }

        DeadLetterLog.Acted(logger, "discarded", topic, letter.Id.ToString(), caller.Actor, caller.TenantId);
        return Results.NoContent();
    }

    /// <summary>Checks what the routes share (topic, id, reason), then runs the route; Kafka or PostgreSQL trouble becomes a 503.</summary>
    private static async Task<IResult> Guard(string topic, string? id, string? reason, Func<DeadLetterId, Task<IResult>> run)
    {
        if (!MeshTopics.All.Any(contract => contract.Topic == topic))
        {
            return GatewayProblems.Problem(
                StatusCodes.Status400BadRequest, "unknown-topic", "Unknown topic",
                $"Dead letters are kept for the mesh topics only: {string.Join(", ", MeshTopics.All.Select(c => c.Topic))}.");
        }

        var letter = default(DeadLetterId);
        if (id is not null && !DeadLetterId.TryParse(id, out letter))
        {
            return InvalidId();
        }

        if (reason is { Length: > MaxReasonLength })
        {
            return GatewayProblems.Invalid($"reason must be at most {MaxReasonLength} characters.");
        }

        try
        {
            return await run(letter);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            return GatewayProblems.Unavailable("kafka", "The dead-letter topic cannot be read or written right now: " + e.Message);
        }
        catch (NpgsqlException)
        {
            return GatewayProblems.Unavailable("postgres", "The dead-letter audit cannot be read or written right now.");
        }
    }

    private static async Task<DeadLetter?> FindVisibleAsync(
        DeadLetterQueue queue, string topic, DeadLetterId id, ApiKeyPrincipal caller, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var letter = await queue.FindAsync(topic, id, cancellationToken);
        return letter is not null && Visible(letter, caller)
            && !(await DiscardedAsync(db, topic, cancellationToken)).Contains((letter.Id.ToString(), letter.Fingerprint))
            ? letter
            : null;
    }

    private static bool Visible(DeadLetter letter, ApiKeyPrincipal caller) => caller.IsService || letter.TenantId == caller.TenantId;

    private static async Task<HashSet<(string Id, string Fingerprint)>> DiscardedAsync(NpgsqlDataSource db, string topic, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT dlq_id, fingerprint FROM dead_letter_actions WHERE topic = @topic AND action = 'discard'");
        command.Parameters.AddWithValue("topic", topic);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var discarded = new HashSet<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            discarded.Add((reader.GetString(0), reader.GetString(1)));
        }

        return discarded;
    }

    /// <summary>Records an action; null when it is a discard of a letter already discarded.</summary>
    private static async Task<long?> RecordAsync(
        NpgsqlDataSource db, ApiKeyPrincipal caller, DeadLetter letter, string action, string? reason, string result, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            """
            INSERT INTO dead_letter_actions (topic, dlq_id, fingerprint, action, tenant_id, actor, key_id, reason, result)
            VALUES (@topic, @id, @fingerprint, @action, @tenant, @actor, @key, @reason, @result)
            ON CONFLICT (topic, dlq_id, fingerprint) WHERE action = 'discard' DO NOTHING
            RETURNING id
            """);
        command.Parameters.AddWithValue("topic", letter.Topic);
        command.Parameters.AddWithValue("id", letter.Id.ToString());
        command.Parameters.AddWithValue("fingerprint", letter.Fingerprint);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("tenant", caller.TenantId);
        command.Parameters.AddWithValue("actor", caller.Actor);
        command.Parameters.AddWithValue("key", caller.KeyId);
        command.Parameters.Add(new NpgsqlParameter<string?>("reason", reason));
        command.Parameters.AddWithValue("result", result);
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : null;
    }

    private static async Task SetResultAsync(NpgsqlDataSource db, long? action, string result, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("UPDATE dead_letter_actions SET result = @result WHERE id = @id");
        command.Parameters.AddWithValue("id", action ?? 0);
        command.Parameters.AddWithValue("result", result);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IResult InvalidId() =>
        GatewayProblems.Problem(StatusCodes.Status400BadRequest, "invalid-dead-letter-id", "Invalid dead-letter id", "A dead-letter id is <partition>-<offset>, e.g. 0-17.");

    private static IResult NotFound(string topic, DeadLetterId id) =>
        GatewayProblems.Problem(StatusCodes.Status404NotFound, "dead-letter-not-found", "No such dead letter",
            $"{MeshTopics.Dlq(topic)} has no dead letter {id} that this key may see.");

    private static partial class DeadLetterLog
    {
        [LoggerMessage(4200, LogLevel.Information, "Dead letter {Id} of {Topic} {Action} by {Actor} of tenant {TenantId}")]
        public static partial void Acted(ILogger logger, string action, string topic, string id, string actor, string tenantId);
    }
}
