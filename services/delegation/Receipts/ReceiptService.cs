using System.Text.Json.Nodes;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Storage;

namespace Mesh.Delegation.Receipts;

/// <summary>The outcome of verifying a receipt; <see cref="Reasons"/> names every check that failed.</summary>
/// <param name="DigestValid">The digest is the SHA-256 of the canonical inputs.</param>
/// <param name="SignatureValid">The signature over the canonical inputs verifies with this service's key.</param>
/// <param name="RecordsMatch">The inputs recomputed from the stored execution equal the receipt's (null when not checked).</param>
public sealed record ReceiptVerification(bool DigestValid, bool SignatureValid, bool? RecordsMatch, IReadOnlyList<string> Reasons)
{
    public bool Valid => DigestValid && SignatureValid && RecordsMatch != false;
}

/// <summary>Issues receipts at an execution's terminal state and verifies them.</summary>
public sealed class ReceiptService(ReceiptSigner signer)
{
    /// <summary>The receipt inputs of an execution that ended with <paramref name="outcome"/>.</summary>
    public static ReceiptInputs InputsFor(ExecutionRecord execution, Outcome outcome, string? externalId)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(outcome);
        return new ReceiptInputs(
            execution.TenantId, execution.ActorId, execution.Id, outcome.Status, execution.ConfigProfile, execution.MaxDepth,
            ReceiptDigests.TextDigest(outcome.Result), externalId);
    }

    /// <summary>The receipt inputs recomputed from a finished execution's stored fields.</summary>
    public static ReceiptInputs InputsFor(ExecutionRecord execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return new ReceiptInputs(
            execution.TenantId, execution.ActorId, execution.Id, execution.Status, execution.ConfigProfile, execution.MaxDepth,
            ReceiptDigests.TextDigest(execution.Result), execution.ExternalId);
    }

    public ReceiptRecord Issue(ReceiptInputs inputs, DateTimeOffset at)
    {
        var canonical = ReceiptDigests.Canonical(inputs);
        return new ReceiptRecord(inputs.ExecutionId, canonical, CanonicalJson.Sha256Hex(canonical), signer.Sign(canonical), signer.KeyId, at);
    }

    public static IntentRecord Intent(IntentInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var canonical = ReceiptDigests.Canonical(inputs);
        return new IntentRecord(inputs.ExecutionId, canonical, CanonicalJson.Sha256Hex(canonical), inputs.CreatedAt);
    }

    /// <summary>
    /// Verifies a stored receipt against the execution as stored now: the digest must match the receipt's inputs, the
    /// signature must verify, and the inputs recomputed from the execution's fields must equal the receipt's, so a
    /// changed status, result, profile, depth, tenant or actor is detected.
    /// </summary>
    public ReceiptVerification Verify(ReceiptRecord receipt, ExecutionRecord execution)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var recomputed = ReceiptDigests.Canonical(InputsFor(execution));
        var check = Verify(receipt.Inputs, receipt.Digest, receipt.Signature);
        var reasons = check.Reasons.ToList();
        var recordsMatch = recomputed == receipt.Inputs;
        if (!recordsMatch)
        {
            reasons.Add("records_changed: the stored execution no longer matches the receipt's inputs");
        }

        return check with { RecordsMatch = recordsMatch, Reasons = reasons };
    }

    /// <summary>Verifies a receipt presented by a caller: its inputs (any JSON form), digest and signature.</summary>
    public ReceiptVerification Verify(JsonNode? inputs, string digest, string signature)
    {
        var parsed = ReceiptDigests.Parse(inputs);
        return parsed is null
            ? new ReceiptVerification(false, false, null, ["inputs_malformed: the receipt inputs miss a member or have a wrong type"])
            : Verify(ReceiptDigests.Canonical(parsed), digest, signature);
    }

    private ReceiptVerification Verify(string canonical, string digest, string signature)
    {
        var reasons = new List<string>();
        var digestValid = CanonicalJson.Sha256Hex(canonical) == digest;
        if (!digestValid)
        {
            reasons.Add("digest_mismatch: the digest is not the SHA-256 of the canonical inputs");
        }

        var signatureValid = signer.Verify(canonical, signature);
        if (!signatureValid)
        {
            reasons.Add("signature_invalid: the signature does not verify with this service's key");
        }

        return new ReceiptVerification(digestValid, signatureValid, null, reasons);
    }
}
