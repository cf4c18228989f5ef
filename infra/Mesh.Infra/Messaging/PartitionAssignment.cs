namespace Mesh.Infra.Messaging;

/// <summary>How a consumer group spreads partitions over its members.</summary>
public enum PartitionAssignment
{
    /// <summary>
    /// Range: partition <c>n</c> of every subscribed topic goes to the same member, which keeps co-partitioned
    /// topics (same key, same partition count) together. Rebalances stop the whole group.
    /// </summary>
    Range,

    /// <summary>Cooperative sticky: partitions move one at a time and the others keep being consumed.</summary>
    CooperativeSticky,
}
