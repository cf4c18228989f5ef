using System.Text.Json;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Receipts;
using Mesh.Delegation.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Mesh.Delegation.Endpoints;

/// <summary>
/// Verifiability: an execution's receipt with its digest inputs and intent record, verification of a stored or
/// presented receipt (digest, signature, and whether the stored execution still matches), and the signing key.
/// </summary>
public static class ReceiptEndpoints
{
    public static IEndpointRouteBuilder MapReceiptApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/executions/{id:guid}/receipt", GetAsync);
        endpoints.MapPost("/v1/receipts/verify", VerifyAsync);
        endpoints.MapGet("/v1/receipts/public-key", (ReceiptSigner signer) => Results.Json(new
        {
            algorithm = ReceiptSigner.Algorithm,
            curve = "P-256",
            key_id = signer.KeyId,
            public_key_pem = signer.PublicKeyPem,
        }, Wire.Json));
        return endpoints;
    }

    private static async Task<IResult> GetAsync(HttpContext http, Guid id, ExecutionStore store)
    {
        if (await store.GetAsync(id, ExecutionEndpoints.Scope(http), http.RequestAborted) is not { } execution)
        {
            return Problems.NotFound(id);
        }

        if (await store.ReceiptAsync(id, http.RequestAborted) is not { } receipt)
        {
            return NotFinished(id, execution);
        }

        return Results.Json(Wire.Receipt(execution, receipt, await store.IntentAsync(id, http.RequestAborted)), Wire.Json);
    }

    private static async Task<IResult> VerifyAsync(HttpContext http, ExecutionStore store, ReceiptService receipts)
    {
        VerifyReceiptRequest? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<VerifyReceiptRequest>(Wire.Json, http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"The body is not a valid verification request: {e.Message}");
        }

        if (body is null || (body.ExecutionId is null && body.Inputs is null))
        {
            return Problems.BadRequest("Give 'execution_id' (verify the stored receipt) or 'inputs', 'digest' and 'signature' (verify a presented one).");
        }

        if (body.Inputs is not null)
        {
            if (body.Digest is null || body.Signature is null)
            {
                return Problems.BadRequest("A presented receipt needs 'inputs', 'digest' and 'signature'.");
            }

            var presented = receipts.Verify(body.Inputs, body.Digest, body.Signature);
            var executionId = body.ExecutionId ?? ReceiptDigests.Parse(body.Inputs)?.ExecutionId;
            if (executionId is { } known && await store.GetAsync(known, ExecutionEndpoints.Scope(http), http.RequestAborted) is { } stored
                && Statuses.IsTerminal(stored.Status) && ReceiptDigests.Parse(body.Inputs) is { } parsed)
            {
                var matches = ReceiptDigests.Canonical(ReceiptService.InputsFor(stored)) == ReceiptDigests.Canonical(parsed);
                presented = presented with
                {
                    RecordsMatch = matches,
                    Reasons = matches ? presented.Reasons : [.. presented.Reasons, "records_differ: the stored execution does not match these inputs"],
                };
            }

            return Results.Json(Wire.Verification(executionId, presented), Wire.Json);
        }

        var id = body.ExecutionId!.Value;
        if (await store.GetAsync(id, ExecutionEndpoints.Scope(http), http.RequestAborted) is not { } execution)
        {
            return Problems.NotFound(id);
        }

        if (await store.ReceiptAsync(id, http.RequestAborted) is not { } receipt)
        {
            return NotFinished(id, execution);
        }

        return Results.Json(Wire.Verification(id, receipts.Verify(receipt, execution)), Wire.Json);
    }

    private static IResult NotFinished(Guid id, ExecutionRecord execution) =>
        Problems.Create(StatusCodes.Status409Conflict, "not-finished", "No receipt yet",
            $"Execution {id} is {Statuses.Name(execution.Status)}; its receipt is written at its terminal state.",
            new Dictionary<string, object?> { ["status"] = Statuses.Name(execution.Status), ["job_state"] = Statuses.JobState(execution.Status) });
}
