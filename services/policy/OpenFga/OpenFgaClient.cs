using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mesh.Policy.Domain;
using Mesh.Policy.Storage;

namespace Mesh.Policy.OpenFga;

/// <summary>
/// A small typed client for OpenFGA's HTTP API (stores, authorization models, write, read, check,
/// batch-check, list-objects, list-users). It speaks to a real OpenFGA server and equally to the policy
/// service's own OpenFGA-compatible API. Every call is bounded by <paramref name="timeout"/>; failures are
/// <see cref="AuthorizationException"/> (a validation code the evaluator also uses) or <see cref="OpenFgaException"/>.
/// </summary>
public sealed class OpenFgaClient(HttpClient http, TimeSpan timeout, string? apiToken = null)
{
    public async Task<WireStore> CreateStoreAsync(string name, CancellationToken cancellationToken) =>
        await SendAsync<WireStore>(HttpMethod.Post, "stores", new CreateStoreBody(name), cancellationToken);

    public async Task<WireStore> GetStoreAsync(string storeId, CancellationToken cancellationToken) =>
        await SendAsync<WireStore>(HttpMethod.Get, $"stores/{Escape(storeId)}", null, cancellationToken);

    public async Task<string> WriteAuthorizationModelAsync(string storeId, AuthorizationModel model, CancellationToken cancellationToken)
    {
        using var content = new StringContent(AuthorizationModelJson.Serialize(model), Encoding.UTF8, "application/json");
        var response = await SendAsync<WriteAuthorizationModelResponse>(
            HttpMethod.Post, $"stores/{Escape(storeId)}/authorization-models", content, cancellationToken);
        return response.AuthorizationModelId;
    }

    public async Task<AuthorizationModel> ReadAuthorizationModelAsync(string storeId, string modelId, CancellationToken cancellationToken)
    {
        var body = await SendAsync<JsonElement>(HttpMethod.Get, $"stores/{Escape(storeId)}/authorization-models/{Escape(modelId)}", null, cancellationToken);
        return body.TryGetProperty("authorization_model", out var model)
            ? AuthorizationModelJson.Parse(model)
            : throw new OpenFgaException(OpenFgaFailure.ServerError, HttpStatusCode.OK, "", "the answer carries no 'authorization_model'");
    }

    /// <summary>Deletes and writes in one transaction; duplicates and missing deletes fail unless ignored.</summary>
    public async Task WriteAsync(
        string storeId,
        string? modelId,
        IReadOnlyList<TupleKey> writes,
        IReadOnlyList<TupleKey> deletes,
        bool ignoreDuplicates,
        bool ignoreMissing,
        CancellationToken cancellationToken)
    {
        var body = new WriteBody(
            writes.Count == 0 ? null : new WriteRequestWrites(writes.Select(WireTupleKey.From).ToList(), ignoreDuplicates ? "ignore" : "error"),
            deletes.Count == 0 ? null : new WriteRequestDeletes(deletes.Select(WireTupleKey.From).ToList(), ignoreMissing ? "ignore" : "error"),
            NullIfEmpty(modelId));
        await SendAsync<JsonElement>(HttpMethod.Post, $"stores/{Escape(storeId)}/write", body, cancellationToken);
    }

    public async Task<ReadResponse> ReadAsync(string storeId, TupleFilter filter, int? pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var key = filter.Object is null && filter.Relation is null && filter.User is null
            ? null
            : new WireTupleKey(filter.User, filter.Relation, filter.Object);
        return await SendAsync<ReadResponse>(
            HttpMethod.Post, $"stores/{Escape(storeId)}/read", new ReadBody(key, pageSize, NullIfEmpty(continuationToken)), cancellationToken);
    }

    public async Task<CheckResponse> CheckAsync(string storeId, string? modelId, Domain.CheckRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new CheckBody(WireTupleKey.From(request.TupleKey), Contextual(request.ContextualTuples), NullIfEmpty(modelId));
        return await SendAsync<CheckResponse>(HttpMethod.Post, $"stores/{Escape(storeId)}/check", body, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, BatchCheckSingleResult>> BatchCheckAsync(
        string storeId, string? modelId, IReadOnlyList<BatchCheckItem> checks, CancellationToken cancellationToken)
    {
        var response = await SendAsync<BatchCheckResponse>(
            HttpMethod.Post, $"stores/{Escape(storeId)}/batch-check", new BatchCheckBody(checks, NullIfEmpty(modelId)), cancellationToken);
        return response.Result;
    }

    public async Task<IReadOnlyList<string>> ListObjectsAsync(string storeId, string? modelId, Domain.ListObjectsRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new ListObjectsBody(NullIfEmpty(modelId), request.Type, request.Relation, request.User, Contextual(request.ContextualTuples));
        return (await SendAsync<ListObjectsResponse>(HttpMethod.Post, $"stores/{Escape(storeId)}/list-objects", body, cancellationToken)).Objects;
    }

    public async Task<IReadOnlyList<string>> ListUsersAsync(string storeId, string? modelId, Domain.ListUsersRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (type, id) = TupleFormat.SplitObject(request.Object);
        var body = new ListUsersBody(
            NullIfEmpty(modelId),
            new WireObject(type, id),
            request.Relation,
            request.UserFilters.Select(f => new WireUserTypeFilter(f.Type, f.Relation)).ToList(),
            request.ContextualTuples?.Select(WireTupleKey.From).ToList());
        var response = await SendAsync<ListUsersResponse>(HttpMethod.Post, $"stores/{Escape(storeId)}/list-users", body, cancellationToken);
        return response.Users.Select(u => u.Format()
            ?? throw new OpenFgaException(OpenFgaFailure.ServerError, HttpStatusCode.OK, "", "a listed user is neither an object, a userset nor a wildcard")).ToList();
    }

    private static WireTupleKeys? Contextual(IReadOnlyList<TupleKey>? tuples) =>
        tuples is { Count: > 0 } ? new WireTupleKeys(tuples.Select(WireTupleKey.From).ToList()) : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Escape(string segment) => Uri.EscapeDataString(segment);

    private Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        SendAsync<T>(method, path, body is null ? null : JsonContent.Create(body, body.GetType(), options: OpenFgaWire.Json), cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (!string.IsNullOrEmpty(apiToken))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await http.SendAsync(request, deadline.Token);
            var text = await response.Content.ReadAsStringAsync(deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response.StatusCode, text);
            }

            return JsonSerializer.Deserialize<T>(text, OpenFgaWire.Json)
                ?? throw new OpenFgaException(OpenFgaFailure.ServerError, response.StatusCode, "", $"{method} {path} answered an empty body");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OpenFgaException(OpenFgaFailure.Timeout, null, "", $"{method} {path} got no answer within {timeout.TotalMilliseconds:0} ms", e);
        }
        catch (HttpRequestException e)
        {
            throw new OpenFgaException(OpenFgaFailure.Unreachable, null, "", $"{method} {path} failed: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new OpenFgaException(OpenFgaFailure.ServerError, null, "", $"{method} {path} answered malformed JSON: {e.Message}", e);
        }
    }

    private static Exception Failure(HttpStatusCode status, string text)
    {
        ErrorResponse? error = null;
        try
        {
            error = JsonSerializer.Deserialize<ErrorResponse>(text, OpenFgaWire.Json);
        }
        catch (JsonException)
        {
            // Not OpenFGA's error shape (a proxy's page, say): reported by status alone below.
        }

        var code = error?.Code ?? "";
        var message = error?.Message ?? $"HTTP {(int)status}";
        if (status == HttpStatusCode.BadRequest && AuthorizationErrorCodes.TryParseApiName(code, out var known))
        {
            return new AuthorizationException(known, message);
        }

        var failure = (int)status >= 500 ? OpenFgaFailure.ServerError : OpenFgaFailure.Rejected;
        return new OpenFgaException(failure, status, code, $"OpenFGA answered {(int)status} {code}: {message}");
    }
}
