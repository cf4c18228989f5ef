using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Options;
using Mesh.Delegation.Receipts;
using Mesh.Delegation.Storage;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

[TestFixture]
public sealed class ReceiptTests
{
    private static readonly Guid ExecutionId = Guid.Parse("0197a3f2-5c1e-7d3a-9b2c-4e5f6a7b8c9d");

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Test]
    public void Canonical_json_sorts_members_drops_whitespace_and_escapes_only_what_json_requires()
    {
        var node = JsonNode.Parse("""{ "b": [1, 2.5, true, null], "a": { "z": "x\"\\\n\u0001", "é": "Zürich 🚆" }, "B": -3 }""");

        Assert.That(CanonicalJson.Serialize(node), Is.EqualTo("{\"B\":-3,\"a\":{\"z\":\"x\\\"\\\\\\n\\u0001\",\"é\":\"Zürich 🚆\"},\"b\":[1,2.5,true,null]}"));
    }

    [Test]
    public void Receipt_digest_is_the_sha256_of_the_canonical_inputs_written_out_by_hand()
    {
        var inputs = new ReceiptInputs("acme", "alice", ExecutionId, DelegationStatus.Completed, "general", 2, ReceiptDigests.TextDigest("42"));
        var expected =
            "{\"actor_id\":\"alice\",\"config_profile\":\"general\",\"execution_id\":\"0197a3f2-5c1e-7d3a-9b2c-4e5f6a7b8c9d\",\"max_depth\":2," +
            $"\"result_digest\":\"{Sha256("\"42\"")}\",\"status\":\"completed\",\"tenant_id\":\"acme\"}}";

        Assert.Multiple(() =>
        {
            Assert.That(ReceiptDigests.Canonical(inputs), Is.EqualTo(expected));
            Assert.That(ReceiptDigests.Digest(inputs), Is.EqualTo(Sha256(expected)));
            Assert.That(ReceiptDigests.TextDigest(null), Is.EqualTo(Sha256("null")));
        });
    }

    [Test]
    public void External_execution_id_is_covered_only_when_present()
    {
        var local = new ReceiptInputs("acme", "alice", ExecutionId, DelegationStatus.Completed, "research", 2, ReceiptDigests.TextDigest("r"));
        var forwarded = local with { ExternalExecutionId = "roma-17" };

        Assert.Multiple(() =>
        {
            Assert.That(ReceiptDigests.Canonical(local), Does.Not.Contain("external_execution_id"));
            Assert.That(ReceiptDigests.Canonical(forwarded), Does.Contain("\"external_execution_id\":\"roma-17\""));
            Assert.That(ReceiptDigests.Parse(JsonNode.Parse(ReceiptDigests.Canonical(forwarded))), Is.EqualTo(forwarded));
        });
    }

    [Test]
    public void Changing_any_covered_field_changes_the_digest()
    {
        var inputs = new ReceiptInputs("acme", "alice", ExecutionId, DelegationStatus.Completed, "general", 2, ReceiptDigests.TextDigest("42"));
        var variants = new[]
        {
            inputs with { TenantId = "other" },
            inputs with { ActorId = "mallory" },
            inputs with { ExecutionId = Guid.NewGuid() },
            inputs with { Status = DelegationStatus.Failed },
            inputs with { ConfigProfile = "strict" },
            inputs with { MaxDepth = 3 },
            inputs with { ResultDigest = ReceiptDigests.TextDigest("43") },
        };

        Assert.That(variants.Select(ReceiptDigests.Digest), Has.None.EqualTo(ReceiptDigests.Digest(inputs)));
    }

    [Test]
    public void Signed_receipt_verifies_and_a_changed_stored_result_is_detected()
    {
        using var signer = new ReceiptSigner(Microsoft.Extensions.Options.Options.Create(new SigningOptions { KeyPem = NewKeyPem() }));
        var receipts = new ReceiptService(signer);
        var execution = Record(DelegationStatus.Completed, "42");
        var receipt = receipts.Issue(ReceiptService.InputsFor(execution), DateTimeOffset.UtcNow);

        var intact = receipts.Verify(receipt, execution);
        var tampered = receipts.Verify(receipt, execution with { Result = "41" });
        var forged = receipts.Verify(receipt with { Signature = receipts.Issue(ReceiptService.InputsFor(execution with { Result = "41" }), DateTimeOffset.UtcNow).Signature }, execution);

        Assert.Multiple(() =>
        {
            Assert.That(intact.Valid, Is.True, string.Join("; ", intact.Reasons));
            Assert.That(tampered.Valid, Is.False);
            Assert.That(tampered.RecordsMatch, Is.False);
            Assert.That(tampered.SignatureValid, Is.True, "the receipt itself is intact; the records changed");
            Assert.That(forged.SignatureValid, Is.False);
        });
    }

    [Test]
    public void Signature_verifies_with_the_published_public_key_outside_the_service()
    {
        using var signer = new ReceiptSigner(Microsoft.Extensions.Options.Options.Create(new SigningOptions { KeyPem = NewKeyPem() }));
        var canonical = ReceiptDigests.Canonical(ReceiptService.InputsFor(Record(DelegationStatus.Failed, null)));
        var signature = Convert.FromBase64String(signer.Sign(canonical));
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(signer.PublicKeyPem);

        Assert.That(publicKey.VerifyData(Encoding.UTF8.GetBytes(canonical), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), Is.True);
    }

    [Test]
    public void Missing_key_file_is_generated_only_when_allowed()
    {
        var file = Path.Combine(Path.GetTempPath(), $"mesh-key-{Guid.NewGuid():N}", "key.pem");
        try
        {
            Assert.That(() => new ReceiptSigner(Microsoft.Extensions.Options.Options.Create(new SigningOptions { KeyFile = file })), Throws.InvalidOperationException);
            using var generated = new ReceiptSigner(Microsoft.Extensions.Options.Options.Create(new SigningOptions { KeyFile = file, GenerateIfMissing = true }));
            using var reloaded = new ReceiptSigner(Microsoft.Extensions.Options.Options.Create(new SigningOptions { KeyFile = file }));

            Assert.That(reloaded.KeyId, Is.EqualTo(generated.KeyId));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [TestCase(DelegationStatus.Pending, "pending")]
    [TestCase(DelegationStatus.Running, "in_progress")]
    [TestCase(DelegationStatus.Completed, "completed")]
    [TestCase(DelegationStatus.Failed, "failed")]
    [TestCase(DelegationStatus.Cancelled, "interrupted")]
    public void Job_state_follows_the_architecture_mapping(DelegationStatus status, string jobState) =>
        Assert.That(Statuses.JobState(status), Is.EqualTo(jobState));

    private static string NewKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static ExecutionRecord Record(DelegationStatus status, string? result) => new(
        ExecutionId, "acme", "alice", "goal", 2, 0, "general", "{}", status, Executors.Mesh, null, null, null, null, 0, 0, null, null, null,
        result, null, null, DateTimeOffset.UtcNow, null, null, DateTimeOffset.UtcNow);
}
