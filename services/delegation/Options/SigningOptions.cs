namespace Mesh.Delegation.Options;

/// <summary>
/// The receipt signing key, ECDSA P-256: PEM text in <c>DELEGATION_SIGNING_KEY</c>, or a PEM file named by
/// <c>DELEGATION_SIGNING_KEY_FILE</c>. In development, a missing file (by default <see cref="DevelopmentKeyFile"/>)
/// is generated; elsewhere a missing key stops the start.
/// </summary>
public sealed class SigningOptions
{
    public const string DevelopmentKeyFile = ".mesh/delegation-signing-key.pem";

    public string? KeyPem { get; set; }

    public string? KeyFile { get; set; }

    public bool GenerateIfMissing { get; set; }

    public string? Validate() =>
        string.IsNullOrWhiteSpace(KeyPem) && string.IsNullOrWhiteSpace(KeyFile)
            ? "Set DELEGATION_SIGNING_KEY (PEM) or DELEGATION_SIGNING_KEY_FILE to sign receipts"
            : null;
}
