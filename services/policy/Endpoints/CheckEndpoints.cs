using System.Text.RegularExpressions;
using Mesh.Infra.Auth;
using Mesh.Policy.Decisions;
using Mesh.Policy.Domain;
using Mesh.Policy.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Mesh.Policy.Endpoints;

/// <summary>
/// <c>POST /v1/check</c>: the mesh's simple check. Service keys may ask for any tenant, other keys only for
/// their own. The answer always carries a decision id and a reason; only malformed input is refused (400).
/// </summary>
public static partial class CheckEndpoints
{
    public static IEndpointRouteBuilder MapCheckApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/check", CheckAsync);
        return endpoints;
    }

    private static async Task<IResult> CheckAsync(HttpContext http, DecisionService decisions, IOptions<PolicyOptions> options)
    {
        var (body, problem) = await PolicyProblems.ReadBodyAsync<V1CheckRequest>(http);
        if (problem is not null)
        {
            return problem;
        }

        if (!TenantAccess.IsValidTenantId(body!.TenantId))
        {
            return PolicyProblems.BadRequest("invalid-request", "'tenant_id' is required: letters, digits, '.', '_' or '-', at most 64.");
        }

        if (!TenantAccess.MayActFor(http.User.Caller(), body.TenantId!))
        {
            return PolicyProblems.ForbiddenTenant(body.TenantId!);
        }

        if (FindFormError(body.User, body.Relation, body.Object) is { } formError)
        {
            return formError;
        }

        var contextual = body.ContextualTuples ?? [];
        if (contextual.Count > options.Value.MaxContextualTuples)
        {
            return PolicyProblems.BadRequest("too-many-items", $"At most {options.Value.MaxContextualTuples} contextual tuples are allowed, not {contextual.Count}.");
        }

        foreach (var tuple in contextual)
        {
            if (FindFormError(tuple.User, tuple.Relation, tuple.Object) is not null)
            {
                return PolicyProblems.BadRequest("invalid-tuple", $"Contextual tuple '{tuple.Object}#{tuple.Relation}@{tuple.User}' is malformed.");
            }
        }

        var request = new DecisionRequest(
            body.TenantId!,
            new TupleKey(body.Object!, body.Relation!, body.User!),
            contextual.Select(t => new TupleKey(t.Object!, t.Relation!, t.User!)).ToList(),
            body.RequestId,
            body.SessionId);
        try
        {
            var decision = await decisions.DecideAsync(request, http.RequestAborted);
            var source = decision.Source == Contracts.Policy.PolicySource.OpenFga ? "openfga" : "embedded";
            return Results.Json(new V1CheckResponse(decision.Allowed, decision.DecisionId, decision.Reason, source), V1Wire.Json);
        }
        catch (AuthorizationException e)
        {
            return PolicyProblems.FromAuthorization(e);
        }
    }

    /// <summary>The 400 for a user, relation or object outside the formats of the decision contract, or null.</summary>
    private static IResult? FindFormError(string? user, string? relation, string? @object)
    {
        if (user is null || user.Length > 256 || !EntityPattern().IsMatch(user) || !TupleFormat.IsValidUser(user))
        {
            return PolicyProblems.BadRequest("invalid-user", $"'user' must look like 'user:anne' or 'group:eng#member', not '{user}'.");
        }

        if (relation is null || relation.Length > 64 || !RelationPattern().IsMatch(relation))
        {
            return PolicyProblems.BadRequest("invalid-relation", $"'relation' must be lower-case letters, digits or '_', not '{relation}'.");
        }

        if (@object is null || @object.Length > 256 || !EntityPattern().IsMatch(@object)
            || !TupleFormat.IsValidObject(@object) || TupleFormat.IsTypedWildcard(@object))
        {
            return PolicyProblems.BadRequest("invalid-object", $"'object' must look like 'tool:echo', not '{@object}'.");
        }

        return null;
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_-]*:[^\s]+$")]
    private static partial Regex EntityPattern();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex RelationPattern();
}
