using Mesh.Gateway.Ops;
using Mesh.Infra.Auth;

namespace Mesh.Gateway.Endpoints;

/// <summary>
/// <c>GET /ops/api/v1/query</c> and <c>GET /ops/api/v1/query_range</c>: Prometheus's instant and range queries for the
/// ops page, answered with Prometheus's own status and JSON. Service keys only (the platform operators'): the metrics
/// are the whole mesh's, with every tenant's labels, so a tenant's admin may not read them.
/// </summary>
public static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/ops/api/v1").RequireAuthorization(MeshAuth.Service);
        foreach (var endpoint in PrometheusProxy.Endpoints)
        {
            api.MapGet("/" + endpoint, (HttpContext http, PrometheusProxy prometheus) => ForwardAsync(endpoint, http, prometheus));
        }
        return endpoints;
    }

    private static async Task<IResult> ForwardAsync(string endpoint, HttpContext http, PrometheusProxy prometheus)
    {
        http.Response.Headers.CacheControl = "no-store";
        try
        {
            var answer = await prometheus.GetAsync(endpoint, http.Request.QueryString.Value ?? "", http.RequestAborted);
            return Results.Content(answer.Body, answer.ContentType, statusCode: answer.Status);
        }
        catch (PrometheusUnavailableException e) when (e.TimedOut)
        {
            return GatewayProblems.Problem(StatusCodes.Status504GatewayTimeout, "prometheus-timeout", "Prometheus did not answer in time", e.Message);
        }
        catch (PrometheusUnavailableException e)
        {
            return GatewayProblems.Unavailable("prometheus", e.Message);
        }
    }
}
