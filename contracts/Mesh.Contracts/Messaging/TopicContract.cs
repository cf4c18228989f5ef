namespace Mesh.Contracts.Messaging;

/// <summary>What a topic carries and how it is keyed.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="SchemaId">The schema of every message on it, also sent in the <c>schema</c> header.</param>
/// <param name="KeyField">The message field whose value is the Kafka key.</param>
public sealed record TopicContract(string Topic, string SchemaId, string KeyField);
