using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.ConversationWorker.Storage;

namespace Mesh.ConversationWorker.Llm;

/// <summary>A reservation made, or why none was: <c>budget_exceeded</c> (over a limit) or <c>budget_unavailable</c>.</summary>
public sealed record BudgetGrant(Guid? ReservationId, string? RefusalCode = null, string? RefusalMessage = null);

/// <summary>
/// Budgets at the policy service (service key): reserve before each model call, commit the actual tokens after.
/// It fails closed: when the policy service cannot answer, nothing is reserved and the model is not called.
/// </summary>
public sealed class BudgetClient(IHttpClientFactory httpClients, ILogger<BudgetClient> logger)
{
    /// <summary>The HTTP client name of the policy service.</summary>
    public const string HttpClientName = "policy";

    public async Task<BudgetGrant> ReserveAsync(string tenantId, string? personaId, long tokens, decimal cost, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Client.PostAsJsonAsync(
                new Uri("/v1/budgets/reserve", UriKind.Relative), new ReserveBody(tenantId, personaId, tokens, cost), StateJson.Options, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                return new BudgetGrant(body.GetProperty("reservation_id").GetGuid());
            }

            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                var detail = problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                return new BudgetGrant(null, "budget_exceeded", detail ?? "The budget for today is used up.");
            }

            Log.BudgetRefused(logger, (int)response.StatusCode);
            return Unavailable();
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or FormatException or InvalidOperationException
                                      || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.BudgetUnreachable(logger, e.GetType().Name, e.Message);
            return Unavailable();
        }
    }

    /// <summary>Commits the actual usage; a failure is logged (the reservation then lapses at its expiry).</summary>
    public async Task CommitAsync(Guid reservationId, long tokens, decimal cost, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await Client.PostAsJsonAsync(
                new Uri("/v1/budgets/commit", UriKind.Relative), new CommitBody(reservationId, tokens, cost), StateJson.Options, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                Log.BudgetCommitFailed(logger, reservationId, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.BudgetCommitFailed(logger, reservationId, e.GetType().Name);
        }
    }

    private HttpClient Client => httpClients.CreateClient(HttpClientName);

    private static BudgetGrant Unavailable() =>
        new(null, "budget_unavailable", "The budget could not be checked, so the model was not called. Try again shortly.");

    private sealed record ReserveBody(string TenantId, string? PersonaId, long Tokens, decimal Cost);

    private sealed record CommitBody(Guid ReservationId, long Tokens, decimal Cost);
}
