using Mesh.Contracts.Messaging;
using Mesh.Contracts.Policy;
using Mesh.Infra.Messaging;

namespace Mesh.Policy.Decisions;

/// <summary>Publishes decision records on <c>policy.decisions</c>, keyed by tenant, through the mesh's publisher.</summary>
public sealed class DecisionPublisher(MeshPublisher publisher)
{
    public Task PublishAsync(PolicyDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        // The turn a decision belongs to is the tool request it gated; a check without one is its own chain.
        var correlation = (decision.RequestId ?? decision.DecisionId).ToString("D");
        return publisher.PublishAsync(
            MeshTopics.PolicyDecisions, decision.TenantId, decision, new PublishContext(decision.TenantId, correlation), cancellationToken);
    }
}
