using Npgsql;

namespace Mesh.ConversationWorker.Storage;

/// <summary>One model call's usage.</summary>
public sealed record UsageRecord(
    Guid SessionId, string TenantId, Guid TurnId, string Provider, string Model, string Tier, int PromptTokens, int CompletionTokens, decimal Cost);

/// <summary>Usage summed over a session's model calls, per provider and model.</summary>
public sealed record UsageLine(string Provider, string Model, long Calls, long PromptTokens, long CompletionTokens, long TotalTokens, decimal Cost);

/// <summary>Every model call leaves a row in <c>conversation_llm_usage</c>; <c>/usage</c> sums them.</summary>
public sealed class UsageStore(NpgsqlDataSource dataSource)
{
    public async Task RecordAsync(UsageRecord usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO conversation_llm_usage (session_id, tenant_id, turn_id, provider, model, tier, prompt_tokens, completion_tokens, total_tokens, calls, cost)
            VALUES (@s, @t, @turn, @provider, @model, @tier, @prompt, @completion, @total, 1, @cost)
            """);
        command.Parameters.AddWithValue("s", usage.SessionId);
        command.Parameters.AddWithValue("t", usage.TenantId);
        command.Parameters.AddWithValue("turn", usage.TurnId);
        command.Parameters.AddWithValue("provider", usage.Provider);
        command.Parameters.AddWithValue("model", usage.Model);
        command.Parameters.AddWithValue("tier", usage.Tier);
        command.Parameters.AddWithValue("prompt", usage.PromptTokens);
        command.Parameters.AddWithValue("completion", usage.CompletionTokens);
        command.Parameters.AddWithValue("total", usage.PromptTokens + usage.CompletionTokens);
        command.Parameters.AddWithValue("cost", usage.Cost);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<UsageLine>> SumAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT provider, model, sum(calls), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(cost)
            FROM conversation_llm_usage WHERE session_id = @s
            GROUP BY provider, model ORDER BY provider, model
            """);
        command.Parameters.AddWithValue("s", sessionId);
        var lines = new List<UsageLine>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new UsageLine(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetDecimal(6)));
        }

        return lines;
    }
}
