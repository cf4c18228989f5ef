using System.Text.Json;
using Dapper;
using Mesh.Contracts.Common;
using Mesh.ToolExecutor.Domain;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary>One remembered note as <c>memory.search</c> returns it.</summary>
public sealed class MemoryHit
{
    public Guid MemoryId { get; init; }

    public string Content { get; init; } = "";

    public string[] Tags { get; init; } = [];

    public DateTime CreatedAt { get; init; }

    public double Score { get; init; }
}

/// <summary>
/// The memories of a tenant and persona in PostgreSQL (<c>tool_memories</c>). A session without a persona uses
/// the tenant's default persona (<c>''</c>). Writes are visible to the next search at once: the search vector is
/// a generated column, no background indexing.
/// </summary>
public sealed class MemoryStore(NpgsqlDataSource database, IOptions<ScratchOptions> options)
{
    public async Task<Guid> SaveAsync(ToolCall call, string content, string[] tags, CancellationToken cancellationToken)
    {
        var id = TimeOrderedIds.NewId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO tool_memories (id, tenant_id, persona_id, content, tags, request_id) VALUES (@id, @tenant, @persona, @content, @tags, @request)",
            new { id, tenant = call.TenantId, persona = call.PersonaId ?? "", content, tags, request = call.RequestId },
            cancellationToken: cancellationToken));
        return id;
    }

    /// <summary>
    /// Memories that match the query in full text (English stemming, web-search syntax) or resemble it (trigram
    /// word similarity at least the configured threshold), best first: full-text rank plus similarity.
    /// </summary>
    public async Task<IReadOnlyList<MemoryHit>> SearchAsync(ToolCall call, string query, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var hits = await connection.QueryAsync<MemoryHit>(new CommandDefinition(
            """
            SELECT id AS MemoryId, content AS Content, tags AS Tags, created_at AS CreatedAt,
                   (ts_rank_cd(search, q) + word_similarity(@query, content))::float8 AS Score
            FROM tool_memories, websearch_to_tsquery('english', @query) AS q
            WHERE tenant_id = @tenant AND persona_id = @persona
              AND (search @@ q OR word_similarity(@query, content) >= @threshold)
            ORDER BY Score DESC, created_at DESC
            LIMIT @limit
            """,
            new { tenant = call.TenantId, persona = call.PersonaId ?? "", query, limit, threshold = options.Value.MemorySimilarityThreshold },
            cancellationToken: cancellationToken));
        return [.. hits];
    }

    /// <summary>Deletes the memories whose text matches the query in full text (never mere look-alikes) and returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> ForgetAsync(ToolCall call, string query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var ids = await connection.QueryAsync<Guid>(new CommandDefinition(
            """
            DELETE FROM tool_memories
            WHERE tenant_id = @tenant AND persona_id = @persona AND search @@ websearch_to_tsquery('english', @query)
            RETURNING id
            """,
            new { tenant = call.TenantId, persona = call.PersonaId ?? "", query },
            cancellationToken: cancellationToken));
        return [.. ids];
    }
}

/// <summary><c>memory.save</c>: remembers a note for the session's tenant and persona. Each run adds a note: not idempotent.</summary>
public sealed class MemorySaveTool(MemoryStore store) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "memory.save",
        "Remembers a note (content, optional tags) for this tenant and persona; memory.search finds it at once.",
        """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["content"],
          "properties": {
            "content": { "type": "string", "minLength": 1, "maxLength": 8000 },
            "tags": { "type": "array", "maxItems": 16, "items": { "type": "string", "minLength": 1, "maxLength": 64 } }
          }
        }
        """,
        timeout: TimeSpan.FromSeconds(5),
        idempotent: false);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var content = call.Arguments.GetProperty("content").GetString()!;
        var tags = call.Arguments.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
        var id = await store.SaveAsync(call, content, tags, cancellationToken);
        return ToolSchemas.Output(new { memory_id = id });
    }
}

/// <summary><c>memory.search</c>: finds remembered notes by meaning of the words and by resemblance.</summary>
public sealed class MemorySearchTool(MemoryStore store) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "memory.search",
        "Finds this tenant and persona's notes matching a query (full text, tolerant of typos), best first.",
        """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["query"],
          "properties": {
            "query": { "type": "string", "minLength": 1, "maxLength": 500 },
            "limit": { "type": "integer", "minimum": 1, "maximum": 50 }
          }
        }
        """,
        timeout: TimeSpan.FromSeconds(5),
        idempotent: true,
        caseInsensitiveFields: ["query"]);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var query = call.Arguments.GetProperty("query").GetString()!;
        var limit = call.Arguments.TryGetProperty("limit", out var l) ? l.GetInt32() : 5;
        var hits = await store.SearchAsync(call, query, limit, cancellationToken);
        return ToolSchemas.Output(new
        {
            results = hits.Select(h => new
            {
                memory_id = h.MemoryId,
                content = h.Content,
                tags = h.Tags,
                created_at = DateTime.SpecifyKind(h.CreatedAt, DateTimeKind.Utc),
                score = Math.Round(h.Score, 4),
            }),
        });
    }
}

/// <summary><c>memory.forget</c>: deletes the notes that match a query.</summary>
public sealed class MemoryForgetTool(MemoryStore store) : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "memory.forget",
        "Deletes this tenant and persona's notes whose text matches the query (full text only, never look-alikes).",
        """
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["query"],
          "properties": { "query": { "type": "string", "minLength": 1, "maxLength": 500 } }
        }
        """,
        timeout: TimeSpan.FromSeconds(5),
        idempotent: true);

    public async Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var ids = await store.ForgetAsync(call, call.Arguments.GetProperty("query").GetString()!, cancellationToken);
        return ToolSchemas.Output(new { deleted = ids.Count, memory_ids = ids });
    }
}
