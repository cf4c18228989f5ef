using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mesh.Infra.Auth;
using Mesh.Policy.Domain;
using Mesh.Policy.OpenFga;
using Mesh.Policy.Options;
using Mesh.Policy.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Npgsql;
using DomainCheckRequest = Mesh.Policy.Domain.CheckRequest;
using DomainListObjectsRequest = Mesh.Policy.Domain.ListObjectsRequest;
using DomainListUsersRequest = Mesh.Policy.Domain.ListUsersRequest;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// OpenFGA's HTTP API (paths, bodies and <c>{code, message}</c> errors as openfga/api defines them), so OpenFGA's
/// SDKs and CLI work against the policy service with an admin API key as their token. A store belongs to the
/// tenant whose key created it; to every other tenant it does not exist (404 <c>store_id_not_found</c>).
/// </summary>
public static partial class OpenFgaEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapOpenFgaApi(this IEndpointRouteBuilder endpoints)
    {
        var stores = endpoints.MapGroup("/stores").RequireAuthorization(MeshAuth.Admin).AddEndpointFilter(TranslateFailuresAsync);
        stores.MapPost("", CreateStoreAsync);
        stores.MapGet("", ListStoresAsync);
        stores.MapGet("/{storeId}", GetStoreAsync);
        stores.MapPost("/{storeId}/authorization-models", WriteAuthorizationModelAsync);
        stores.MapGet("/{storeId}/authorization-models", ReadAuthorizationModelsAsync);
        stores.MapGet("/{storeId}/authorization-models/{modelId}", ReadAuthorizationModelAsync);
        stores.MapPost("/{storeId}/write", WriteAsync);
        stores.MapPost("/{storeId}/read", ReadAsync);
        stores.MapPost("/{storeId}/check", CheckAsync);
        stores.MapPost("/{storeId}/batch-check", BatchCheckAsync);
        stores.MapPost("/{storeId}/list-objects", ListObjectsAsync);
        stores.MapPost("/{storeId}/list-users", ListUsersAsync);
        return endpoints;
    }

    private static async Task<IResult> CreateStoreAsync(HttpContext http, StoreRepository stores)
    {
        var body = await ReadBodyAsync<CreateStoreBody>(http);
        if (body.Name is not { } name || !StoreNamePattern().IsMatch(name))
        {
            throw Invalid("'name' must be 3 to 64 letters, digits, spaces or . - / ^ _ & @");
        }

        var store = await stores.CreateAsync(http.User.Caller().TenantId, name, http.RequestAborted);
        return Results.Json(ToWire(store), OpenFgaWire.Json, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListStoresAsync(HttpContext http, StoreRepository stores, [FromQuery(Name = "page_size")] int? pageSize, [FromQuery(Name = "continuation_token")] string? continuationToken)
    {
        var size = PageSize(pageSize);
        var page = await stores.ListAsync(http.User.Caller().TenantId, NullIfEmpty(continuationToken), size, http.RequestAborted);
        var next = page.Count == size ? page[^1].Id : "";
        return Results.Json(new ListStoresResponse(page.Select(ToWire).ToList(), next), OpenFgaWire.Json);
    }

    private static async Task<IResult> GetStoreAsync(HttpContext http, StoreRepository stores, string storeId) =>
        Results.Json(ToWire(await StoreAsync(http, stores, storeId)), OpenFgaWire.Json);

    private static async Task<IResult> WriteAuthorizationModelAsync(HttpContext http, StoreRepository stores, ModelRepository models, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException e)
        {
            throw Invalid($"the body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var id = await models.WriteAsync(store.Id, AuthorizationModelJson.Parse(document.RootElement), http.RequestAborted);
            return Results.Json(new WriteAuthorizationModelResponse(id), OpenFgaWire.Json, statusCode: StatusCodes.Status201Created);
        }
    }

    private static async Task<IResult> ReadAuthorizationModelsAsync(
        HttpContext http, StoreRepository stores, ModelRepository models, string storeId, [FromQuery(Name = "page_size")] int? pageSize, [FromQuery(Name = "continuation_token")] string? continuationToken)
    {
        var store = await StoreAsync(http, stores, storeId);
        var size = PageSize(pageSize);
        var page = await models.ListAsync(store.Id, NullIfEmpty(continuationToken), size, http.RequestAborted);
        var next = page.Count == size ? page[^1].Id : "";
        var body = new JsonObject
        {
            ["authorization_models"] = new JsonArray(page.Select(m => (JsonNode)ModelNode(m.Id, m.Model)).ToArray()),
            ["continuation_token"] = next,
        };
        return Results.Text(body.ToJsonString(), "application/json");
    }

    private static async Task<IResult> ReadAuthorizationModelAsync(HttpContext http, StoreRepository stores, ModelRepository models, string storeId, string modelId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var model = await models.FindAsync(store.Id, modelId, http.RequestAborted)
            ?? throw new AuthorizationException(AuthorizationErrorCode.AuthorizationModelNotFound, $"authorization model '{modelId}' not found");
        return Results.Text(new JsonObject { ["authorization_model"] = ModelNode(modelId, model) }.ToJsonString(), "application/json");
    }

    private static async Task<IResult> WriteAsync(
        HttpContext http, StoreRepository stores, ModelRepository models, TupleRepository tuples, IOptions<PolicyOptions> options, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var body = await ReadBodyAsync<WriteBody>(http);
        var writes = Keys(body.Writes?.TupleKeys);
        var deletes = Keys(body.Deletes?.TupleKeys);
        if (writes.Count == 0 && deletes.Count == 0)
        {
            throw new AuthorizationException(AuthorizationErrorCode.InvalidWriteInput, "invalid input: provide at least one write or delete");
        }

        var ignoreDuplicates = ConflictMode(body.Writes?.OnDuplicate, "on_duplicate");
        var ignoreMissing = ConflictMode(body.Deletes?.OnMissing, "on_missing");
        var model = await models.ResolveAsync(store.Id, body.AuthorizationModelId, http.RequestAborted);
        TupleValidator.ValidateWriteRequest(model.TypeSystem, writes, deletes, options.Value.MaxTuplesPerWrite);
        await tuples.WriteAsync(store.Id, writes, deletes, ignoreDuplicates, ignoreMissing, http.RequestAborted);
        return Results.Json(new { }, OpenFgaWire.Json);
    }

    private static async Task<IResult> ReadAsync(HttpContext http, StoreRepository stores, TupleRepository tuples, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var body = await ReadBodyAsync<ReadBody>(http);
        var filter = new TupleFilter(NullIfEmpty(body.TupleKey?.Object), NullIfEmpty(body.TupleKey?.Relation), NullIfEmpty(body.TupleKey?.User));
        ValidateReadFilter(filter);
        var page = await tuples.ReadAsync(store.Id, filter, PageSize(body.PageSize), NullIfEmpty(body.ContinuationToken), http.RequestAborted);
        var wire = page.Tuples.Select(t => new WireTuple(WireTupleKey.From(t.Key), t.WrittenAt)).ToList();
        return Results.Json(new ReadResponse(wire, page.ContinuationToken), OpenFgaWire.Json);
    }

    private static async Task<IResult> CheckAsync(
        HttpContext http, StoreRepository stores, ModelRepository models, TupleRepository tuples, IOptions<PolicyOptions> options, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var body = await ReadBodyAsync<CheckBody>(http);
        var key = body.TupleKey ?? throw Invalid("'tuple_key' is required");
        var contextual = Contextual(body.ContextualTuples?.TupleKeys, options.Value);
        var model = await models.ResolveAsync(store.Id, body.AuthorizationModelId, http.RequestAborted);
        using var deadline = Deadline(http, options.Value);
        var result = await new AuthorizationEvaluator(model.TypeSystem, tuples.Reader(store.Id))
            .CheckAsync(new DomainCheckRequest(key.ToKey(), contextual), deadline.Token);
        return Results.Json(new CheckResponse(result.Allowed, result.Resolution), OpenFgaWire.Json);
    }

    private static async Task<IResult> BatchCheckAsync(
        HttpContext http, StoreRepository stores, ModelRepository models, TupleRepository tuples, IOptions<PolicyOptions> options, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var body = await ReadBodyAsync<BatchCheckBody>(http);
        var checks = body.Checks ?? [];
        if (checks.Count == 0 || checks.Count > options.Value.MaxChecksPerBatch)
        {
            throw Invalid($"a batch carries 1 to {options.Value.MaxChecksPerBatch} checks, not {checks.Count}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            if (check.CorrelationId is not { } id || !CorrelationIdPattern().IsMatch(id) || !ids.Add(id))
            {
                throw Invalid($"every check needs a unique 'correlation_id' of 1 to 36 letters, digits, '_' or '-' (got '{check.CorrelationId}')");
            }
        }

        var model = await models.ResolveAsync(store.Id, body.AuthorizationModelId, http.RequestAborted);
        var evaluator = new AuthorizationEvaluator(model.TypeSystem, tuples.Reader(store.Id));
        using var deadline = Deadline(http, options.Value);
        var results = new Dictionary<string, BatchCheckSingleResult>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            try
            {
                var key = check.TupleKey ?? throw Invalid("'tuple_key' is required");
                var contextual = Contextual(check.ContextualTuples?.TupleKeys, options.Value);
                var result = await evaluator.CheckAsync(new DomainCheckRequest(key.ToKey(), contextual), deadline.Token);
                results[check.CorrelationId!] = new BatchCheckSingleResult(result.Allowed, null);
            }
            catch (AuthorizationException e)
            {
                results[check.CorrelationId!] = new BatchCheckSingleResult(null, new CheckError(e.Code.ApiName(), null, e.Message));
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                results[check.CorrelationId!] = new BatchCheckSingleResult(null, new CheckError(null, "deadline_exceeded", "the batch ran out of time"));
            }
        }

        return Results.Json(new BatchCheckResponse(results), OpenFgaWire.Json);
    }

    private static async Task<IResult> ListObjectsAsync(
        HttpContext http, StoreRepository stores, ModelRepository models, TupleRepository tuples, IOptions<PolicyOptions> options, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var body = await ReadBodyAsync<ListObjectsBody>(http);
        if (string.IsNullOrEmpty(body.Type) || string.IsNullOrEmpty(body.Relation) || string.IsNullOrEmpty(body.User))
        {
            throw Invalid("'type', 'relation' and 'user' are required");
        }

        var contextual = Contextual(body.ContextualTuples?.TupleKeys, options.Value);
        var model = await models.ResolveAsync(store.Id, body.AuthorizationModelId, http.RequestAborted);
        using var deadline = Deadline(http, options.Value);
        var objects = await new AuthorizationEvaluator(model.TypeSystem, tuples.Reader(store.Id))
            .ListObjectsAsync(new DomainListObjectsRequest(body.Type, body.Relation, body.User, contextual), deadline.Token);
        return Results.Json(new ListObjectsResponse(objects), OpenFgaWire.Json);
    }

    private static async Task<IResult> ListUsersAsync(
        HttpContext http, StoreRepository stores, ModelRepository models, TupleRepository tuples, IOptions<PolicyOptions> options, string storeId)
    {
        var store = await StoreAsync(http, stores, storeId);
        var body = await ReadBodyAsync<ListUsersBody>(http);
        if (body.Object is not { Type: { Length: > 0 } type, Id: { Length: > 0 } id } || string.IsNullOrEmpty(body.Relation))
        {
            throw Invalid("'object' (with 'type' and 'id') and 'relation' are required");
        }

        if (body.UserFilters is not [{ Type: { Length: > 0 } filterType } filter])
        {
            throw Invalid("exactly one entry of 'user_filters' with a 'type' is required");
        }

        var contextual = Contextual(body.ContextualTuples, options.Value);
        var model = await models.ResolveAsync(store.Id, body.AuthorizationModelId, http.RequestAborted);
        using var deadline = Deadline(http, options.Value);
        var request = new DomainListUsersRequest($"{type}:{id}", body.Relation, [new UserTypeFilter(filterType, NullIfEmpty(filter.Relation))], contextual);
        var users = await new AuthorizationEvaluator(model.TypeSystem, tuples.Reader(store.Id)).ListUsersAsync(request, deadline.Token);
        return Results.Json(new ListUsersResponse(users.Select(WireUser.From).ToList()), OpenFgaWire.Json);
    }

    private static async ValueTask<object?> TranslateFailuresAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (AuthorizationException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Code.ApiName(), e.Message);
        }
        catch (StoreNotFoundException)
        {
            return Error(StatusCodes.Status404NotFound, "store_id_not_found", "store_id_not_found");
        }
        catch (OperationCanceledException) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Error(StatusCodes.Status504GatewayTimeout, "deadline_exceeded", "the request ran out of time");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, "unavailable", "the tuple store is unavailable; try again");
        }
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new ErrorResponse(code, message), OpenFgaWire.Json, statusCode: status);

    private static async Task<StoreRecord> StoreAsync(HttpContext http, StoreRepository stores, string storeId) =>
        Ulid.IsWellFormed(storeId) && await stores.FindAsync(http.User.Caller().TenantId, storeId, http.RequestAborted) is { } store
            ? store
            : throw new StoreNotFoundException();

    private static async Task<T> ReadBodyAsync<T>(HttpContext http)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(http.Request.Body, OpenFgaWire.Json, http.RequestAborted)
                ?? throw Invalid("the body must be a JSON object");
        }
        catch (JsonException e)
        {
            throw Invalid($"the body does not match the request: {e.Message}");
        }
    }

    private static List<TupleKey> Keys(IReadOnlyList<WireTupleKey>? keys)
    {
        var list = new List<TupleKey>();
        foreach (var key in keys ?? [])
        {
            if (key.Condition is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
            {
                throw Invalid($"tuple '{key.ToKey()}' has a condition; conditional relationship tuples are not supported");
            }

            list.Add(key.ToKey());
        }

        return list;
    }

    private static List<TupleKey> Contextual(IReadOnlyList<WireTupleKey>? keys, PolicyOptions options) =>
        keys?.Count > options.MaxContextualTuples
            ? throw Invalid($"at most {options.MaxContextualTuples} contextual tuples are allowed, not {keys.Count}")
            : Keys(keys);

    private static bool ConflictMode(string? mode, string field) => mode switch
    {
        null or "" or "error" => false,
        "ignore" => true,
        _ => throw Invalid($"'{field}' must be 'error' or 'ignore'"),
    };

    private static void ValidateReadFilter(TupleFilter filter)
    {
        if (filter.Object is null)
        {
            if (filter.Relation is not null || filter.User is not null)
            {
                throw Invalid("the 'object' field must name at least a type ('document:') when 'relation' or 'user' is given");
            }

            return;
        }

        var (type, id) = TupleFormat.SplitObject(filter.Object);
        if (type.Length == 0 || (id.Length > 0 && !TupleFormat.IsValidObject(filter.Object)))
        {
            throw Invalid($"invalid 'object' field '{filter.Object}'");
        }

        if (id.Length == 0 && filter.User is null)
        {
            throw Invalid("the 'user' field is required when 'object' names only a type");
        }
    }

    private static CancellationTokenSource Deadline(HttpContext http, PolicyOptions options)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(options.EvaluationTimeout);
        return deadline;
    }

    private static int PageSize(int? requested) => requested switch
    {
        null or 0 => DefaultPageSize,
        >= 1 and <= MaxPageSize => requested.Value,
        _ => throw Invalid($"'page_size' must be between 1 and {MaxPageSize}"),
    };

    private static JsonObject ModelNode(string id, AuthorizationModel model)
    {
        var node = JsonNode.Parse(AuthorizationModelJson.Serialize(model))!.AsObject();
        node.Insert(0, "id", id);
        return node;
    }

    private static WireStore ToWire(StoreRecord store) => new(store.Id, store.Name, store.CreatedAt, store.UpdatedAt);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static AuthorizationException Invalid(string message) => new(AuthorizationErrorCode.ValidationError, message);

    [GeneratedRegex(@"^[a-zA-Z0-9\s\.\-\/^_&@]{3,64}$")]
    private static partial Regex StoreNamePattern();

    [GeneratedRegex(@"^[\w\d-]{1,36}$")]
    private static partial Regex CorrelationIdPattern();

    private sealed class StoreNotFoundException : Exception;
}
