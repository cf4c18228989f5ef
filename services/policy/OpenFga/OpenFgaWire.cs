using System.Text.Json;
using System.Text.Json.Serialization;
using Mesh.Policy.Domain;

namespace Mesh.Policy.OpenFga;

/// <summary>
/// Request and response bodies of OpenFGA's HTTP API (snake_case JSON, as the openfga/api protos name the
/// fields). Shared by the policy service's OpenFGA-compatible endpoints and by <see cref="OpenFgaClient"/>.
/// </summary>
public static class OpenFgaWire
{
    /// <summary>snake_case names, nulls left out, unknown fields ignored (clients send <c>consistency</c>, <c>context</c>, …).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record WireTupleKey(string? User, string? Relation, string? Object, JsonElement? Condition = null)
{
    public static WireTupleKey From(TupleKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new WireTupleKey(key.User, key.Relation, key.Object);
    }

    public TupleKey ToKey() => new(Object ?? "", Relation ?? "", User ?? "");
}

public sealed record WireTupleKeys(IReadOnlyList<WireTupleKey>? TupleKeys);

public sealed record CreateStoreBody(string? Name);

public sealed record WireStore(string Id, string Name, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record ListStoresResponse(IReadOnlyList<WireStore> Stores, string ContinuationToken);

public sealed record WriteAuthorizationModelResponse(string AuthorizationModelId);

public sealed record WriteRequestWrites(IReadOnlyList<WireTupleKey>? TupleKeys, string? OnDuplicate = null);

public sealed record WriteRequestDeletes(IReadOnlyList<WireTupleKey>? TupleKeys, string? OnMissing = null);

public sealed record WriteBody(WriteRequestWrites? Writes, WriteRequestDeletes? Deletes, string? AuthorizationModelId);

public sealed record ReadBody(WireTupleKey? TupleKey, int? PageSize = null, string? ContinuationToken = null);

public sealed record WireTuple(WireTupleKey Key, DateTime Timestamp);

public sealed record ReadResponse(IReadOnlyList<WireTuple> Tuples, string ContinuationToken);

public sealed record CheckBody(WireTupleKey? TupleKey, WireTupleKeys? ContextualTuples, string? AuthorizationModelId);

public sealed record CheckResponse(bool Allowed, string? Resolution);

public sealed record BatchCheckItem(WireTupleKey? TupleKey, WireTupleKeys? ContextualTuples, string? CorrelationId);

public sealed record BatchCheckBody(IReadOnlyList<BatchCheckItem>? Checks, string? AuthorizationModelId);

/// <summary>One batch-check answer: <see cref="Allowed"/> or <see cref="Error"/> (a protobuf oneof).</summary>
public sealed record BatchCheckSingleResult(bool? Allowed, CheckError? Error);

/// <summary>A failed check in a batch: <see cref="InputError"/> or <see cref="InternalError"/> (a code name) and a message.</summary>
public sealed record CheckError(string? InputError, string? InternalError, string Message);

public sealed record BatchCheckResponse(IReadOnlyDictionary<string, BatchCheckSingleResult> Result);

public sealed record ListObjectsBody(string? AuthorizationModelId, string? Type, string? Relation, string? User, WireTupleKeys? ContextualTuples);

public sealed record ListObjectsResponse(IReadOnlyList<string> Objects);

public sealed record WireObject(string? Type, string? Id);

public sealed record WireUserTypeFilter(string? Type, string? Relation = null);

public sealed record ListUsersBody(
    string? AuthorizationModelId,
    WireObject? Object,
    string? Relation,
    IReadOnlyList<WireUserTypeFilter>? UserFilters,
    IReadOnlyList<WireTupleKey>? ContextualTuples);

public sealed record WireUserset(string Type, string Id, string Relation);

public sealed record WireWildcard(string Type);

/// <summary>A listed user: an <see cref="Object"/>, a <see cref="Userset"/> or a <see cref="Wildcard"/> (a protobuf oneof).</summary>
public sealed record WireUser(WireObject? Object = null, WireUserset? Userset = null, WireWildcard? Wildcard = null)
{
    /// <summary>From the string form: <c>user:anne</c>, <c>group:eng#member</c> or <c>user:*</c>.</summary>
    public static WireUser From(string user)
    {
        var (userObject, relation) = TupleFormat.SplitUserset(user);
        var (type, id) = TupleFormat.SplitObject(userObject);
        return relation.Length > 0 ? new WireUser(Userset: new WireUserset(type, id, relation))
            : id == TupleFormat.Wildcard ? new WireUser(Wildcard: new WireWildcard(type))
            : new WireUser(Object: new WireObject(type, id));
    }

    /// <summary>The string form, or null when none of the three is set.</summary>
    public string? Format() =>
        Userset is { } userset ? $"{userset.Type}:{userset.Id}#{userset.Relation}"
        : Wildcard is { } wildcard ? $"{wildcard.Type}:{TupleFormat.Wildcard}"
        : Object is { Type: { } type, Id: { } id } ? $"{type}:{id}"
        : null;
}

public sealed record ListUsersResponse(IReadOnlyList<WireUser> Users);

/// <summary>OpenFGA's error body: a code name (<c>validation_error</c>, <c>store_id_not_found</c>, …) and a message.</summary>
public sealed record ErrorResponse(string Code, string Message);
