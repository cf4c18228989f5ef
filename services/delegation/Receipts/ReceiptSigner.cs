using System.Security.Cryptography;
using System.Text;
using Mesh.Delegation.Options;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation.Receipts;

/// <summary>
/// Signs receipts with ECDSA P-256 over SHA-256 of the canonical inputs (signature DER-encoded, RFC 3279, in base64,
/// which <c>openssl dgst -sha256 -verify</c> accepts). The key's id is the first 16 hex characters of the SHA-256 of
/// its public key (SubjectPublicKeyInfo, DER).
/// </summary>
public sealed class ReceiptSigner : IDisposable
{
    public const string Algorithm = "ES256";

    private readonly ECDsa key;

    public ReceiptSigner(IOptions<SigningOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        key = Load(options.Value);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException("The receipt signing key must be an ECDSA P-256 key.");
        }

        var publicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];
        PublicKeyPem = PemEncoding.WriteString("PUBLIC KEY", publicKey);
    }

    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public string Sign(string canonical) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(canonical), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public bool Verify(string canonical, string signature)
    {
        Span<byte> bytes = stackalloc byte[128];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && key.VerifyData(Encoding.UTF8.GetBytes(canonical), bytes[..length], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    public void Dispose() => key.Dispose();

    private static ECDsa Load(SigningOptions options)
    {
        var key = ECDsa.Create();
        try
        {
            if (!string.IsNullOrWhiteSpace(options.KeyPem))
            {
                key.ImportFromPem(options.KeyPem);
                return key;
            }

            var file = options.KeyFile ?? throw new InvalidOperationException("No receipt signing key is configured.");
            if (File.Exists(file))
            {
                key.ImportFromPem(File.ReadAllText(file));
                return key;
            }

            if (!options.GenerateIfMissing)
            {
                throw new InvalidOperationException($"The receipt signing key file {file} does not exist.");
            }

            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            File.WriteAllText(file, key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
