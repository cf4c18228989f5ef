namespace Mesh.Infra.Messaging;

/// <summary>Who a published message belongs to and what caused it; becomes its standard headers.</summary>
/// <param name="TenantId">The tenant (<c>tenant-id</c>).</param>
/// <param name="CorrelationId">The turn the message belongs to (<c>correlation-id</c>).</param>
/// <param name="CausationId">
/// The <c>message-id</c> of the message that caused this one (<c>causation-id</c>); null for a message that starts a
/// chain (an HTTP request, say), which then names itself as its cause.
/// </param>
public sealed record PublishContext(string TenantId, string CorrelationId, string? CausationId = null);
