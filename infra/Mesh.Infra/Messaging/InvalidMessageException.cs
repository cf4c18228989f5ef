using Mesh.Contracts.Schemas;

namespace Mesh.Infra.Messaging;

/// <summary>
/// A message about to be published fails its schema. That is a bug in the publishing code, so it is thrown and
/// the message is never sent.
/// </summary>
public sealed class InvalidMessageException : Exception
{
    /// <summary>Creates the exception for a failed validation.</summary>
    /// <param name="topic">The topic the message was meant for.</param>
    /// <param name="validation">The failed validation.</param>
    public InvalidMessageException(string topic, SchemaValidationResult validation)
        : base($"Refusing to publish an invalid message to '{topic}': {validation}")
    {
        Topic = topic;
        Validation = validation;
    }

    /// <summary>The topic the message was meant for.</summary>
    public string Topic { get; }

    /// <summary>What is wrong with the message (property names, never values).</summary>
    public SchemaValidationResult Validation { get; }
}
