using System.Diagnostics;

namespace Mesh.Infra.Messaging;

/// <summary>
/// The spans of the messaging library: one producer span per published message and one consumer span per
/// received message, continued from its <c>traceparent</c>. The source name starts with <c>Mesh</c>, so the
/// service defaults record it and log lines written while a message is handled carry its trace id.
/// </summary>
public static class MessagingDiagnostics
{
    /// <summary>The <see cref="ActivitySource"/> name.</summary>
    public const string ActivitySourceName = "Mesh.Messaging";

    /// <summary>The activity source of publish and process spans.</summary>
    public static ActivitySource Source { get; } = new(ActivitySourceName);
}
