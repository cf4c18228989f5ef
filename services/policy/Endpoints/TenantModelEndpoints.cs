using Mesh.Infra.Auth;
using Mesh.Policy.Authorization;
using Mesh.Policy.Domain;
using Mesh.Policy.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// A tenant's /v1 authorization data: <c>PUT /v1/tenants/{tenant_id}/model</c> (the DSL, as text/plain or
/// JSON <c>{dsl}</c>) and its tuples (<c>POST</c> writes and deletes, <c>GET</c> reads). With a shared OpenFGA
/// store, tuples are for mesh administrators only and the model is managed in OpenFGA.
/// </summary>
public static class TenantModelEndpoints
{
    private const int DefaultPageSize = 50;

    public static IEndpointRouteBuilder MapTenantModelApi(this IEndpointRouteBuilder endpoints)
    {
        var tenants = endpoints.MapGroup("/v1/tenants/{tenantId}").RequireAuthorization(MeshAuth.Admin);
        tenants.MapPut("/model", PutModelAsync);
        tenants.MapPost("/tuples", WriteTuplesAsync);
        tenants.MapGet("/tuples", ReadTuplesAsync);
        return endpoints;
    }

    private static async Task<IResult> PutModelAsync(
        HttpContext http, string tenantId, ITenantAuthorization authorization, StoreRepository stores, ModelRepository models)
    {
        if (!TenantAccess.IsValidTenantId(tenantId))
        {
            return PolicyProblems.BadRequest("invalid-request", $"'{tenantId}' is not a tenant id.");
        }

        if (!TenantAccess.MayAdminister(http.User.Caller(), tenantId))
        {
            return PolicyProblems.ForbiddenTenant(tenantId);
        }

        if (!authorization.IsolatesTenants)
        {
            return PolicyProblems.Policy(StatusCodes.Status409Conflict, "model-managed-externally", "The model is managed in OpenFGA",
                "This service answers from an OpenFGA server (OPENFGA_MODEL_ID); write the model there.");
        }

        string? dsl;
        if (http.Request.HasJsonContentType())
        {
            var (body, problem) = await PolicyProblems.ReadBodyAsync<V1ModelRequest>(http);
            if (problem is not null)
            {
                return problem;
            }

            dsl = body!.Dsl;
        }
        else
        {
            using var reader = new StreamReader(http.Request.Body);
            dsl = await reader.ReadToEndAsync(http.RequestAborted);
        }

        if (string.IsNullOrWhiteSpace(dsl))
        {
            return PolicyProblems.BadRequest("invalid-model", "The body must carry the model in OpenFGA's DSL.");
        }

        AuthorizationModel model;
        try
        {
            model = DslParser.Parse(dsl);
        }
        catch (DslSyntaxException e)
        {
            return PolicyProblems.BadRequest("invalid-model", e.Message);
        }

        try
        {
            // Validate before creating the tenant's store, so a bad model leaves nothing behind.
            TypeSystem.Create(model);
            var storeId = await stores.EnsureTenantStoreAsync(tenantId, http.RequestAborted);
            var modelId = await models.WriteAsync(storeId, model, http.RequestAborted);
            return Results.Json(new V1ModelResponse(tenantId, storeId, modelId), V1Wire.Json);
        }
        catch (AuthorizationException e)
        {
            return PolicyProblems.FromAuthorization(e);
        }
        catch (NpgsqlException e)
        {
            return PolicyProblems.Unavailable(e.Message);
        }
    }

    private static async Task<IResult> WriteTuplesAsync(HttpContext http, string tenantId, ITenantAuthorization authorization)
    {
        if (Forbidden(http, tenantId, authorization) is { } forbidden)
        {
            return forbidden;
        }

        var (body, problem) = await PolicyProblems.ReadBodyAsync<V1TupleWriteRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        var writes = (body!.Writes ?? []).Select(ToKey).ToList();
        var deletes = (body.Deletes ?? []).Select(ToKey).ToList();
        if (writes.Count + deletes.Count == 0)
        {
            return PolicyProblems.BadRequest("invalid-request", "Give at least one tuple in 'writes' or 'deletes'.");
        }

        try
        {
            await authorization.WriteAsync(tenantId, writes, deletes, ignoreDuplicates: false, ignoreMissing: false, http.RequestAborted);
            return Results.NoContent();
        }
        catch (AuthorizationException e)
        {
            return PolicyProblems.FromAuthorization(e);
        }
        catch (Exception e) when (e is NpgsqlException or OpenFga.OpenFgaException)
        {
            return PolicyProblems.Unavailable(e.Message);
        }
    }

    private static async Task<IResult> ReadTuplesAsync(
        HttpContext http,
        string tenantId,
        ITenantAuthorization authorization,
        [FromQuery(Name = "object")] string? @object,
        [FromQuery(Name = "relation")] string? relation,
        [FromQuery(Name = "user")] string? user,
        [FromQuery(Name = "continuation_token")] string? continuationToken)
    {
        if (Forbidden(http, tenantId, authorization) is { } forbidden)
        {
            return forbidden;
        }

        try
        {
            var page = await authorization.ReadAsync(
                tenantId, new TupleFilter(Empty(@object), Empty(relation), Empty(user)), DefaultPageSize, Empty(continuationToken), http.RequestAborted);
            var tuples = page.Tuples.Select(t => new V1Tuple(t.Key.User, t.Key.Relation, t.Key.Object, t.WrittenAt)).ToList();
            return Results.Json(new V1TuplesResponse(tuples, page.ContinuationToken), V1Wire.Json);
        }
        catch (AuthorizationException e)
        {
            return PolicyProblems.FromAuthorization(e);
        }
        catch (Exception e) when (e is NpgsqlException or OpenFga.OpenFgaException)
        {
            return PolicyProblems.Unavailable(e.Message);
        }
    }

    private static IResult? Forbidden(HttpContext http, string tenantId, ITenantAuthorization authorization)
    {
        var caller = http.User.Caller();
        return TenantAccess.MayAdminister(caller, tenantId) && (authorization.IsolatesTenants || TenantAccess.IsMeshAdmin(caller))
            ? null
            : PolicyProblems.ForbiddenTenant(tenantId);
    }

    private static TupleKey ToKey(V1TupleKey key) => new(key.Object ?? "", key.Relation ?? "", key.User ?? "");

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
