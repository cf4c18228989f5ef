using System.Collections.Concurrent;
using System.Diagnostics;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Mesh.Testing;

namespace Mesh.Messaging.Tests.Support;

/// <summary>What a handler saw: the context and the span it ran in.</summary>
public sealed record HandledMessage(MessageContext<ToolRequest> Context, ActivityContext? Span, ActivitySpanId? ParentSpanId);

/// <summary>Records what <see cref="ProbeHandler"/> is given and lets a test decide how it behaves.</summary>
public sealed class HandlerProbe
{
    private readonly ConcurrentQueue<HandledMessage> attempts = new();
    private readonly ConcurrentQueue<HandledMessage> handled = new();

    /// <summary>Runs before a message counts as handled; throw to fail the attempt.</summary>
    public Func<MessageContext<ToolRequest>, CancellationToken, Task>? Behaviour { get; set; }

    public IReadOnlyList<HandledMessage> Attempts => [.. attempts];

    public IReadOnlyList<HandledMessage> Handled => [.. handled];

    public IEnumerable<string> HandledMessageIds => handled.Select(h => h.Context.MessageId);

    internal void RecordAttempt(MessageContext<ToolRequest> context) => attempts.Enqueue(Capture(context));

    internal void RecordHandled(MessageContext<ToolRequest> context) => handled.Enqueue(Capture(context));

    public Task WaitForHandledAsync(int count, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => handled.Count >= count, timeout ?? TimeSpan.FromSeconds(20), $"{count} handled message(s), have {handled.Count}");

    public Task WaitForAttemptsAsync(int count, TimeSpan? timeout = null) =>
        Poll.UntilAsync(() => attempts.Count >= count, timeout ?? TimeSpan.FromSeconds(20), $"{count} handler attempt(s), have {attempts.Count}");

    private static HandledMessage Capture(MessageContext<ToolRequest> context) =>
        new(context, Activity.Current?.Context, Activity.Current?.ParentSpanId);
}

/// <summary>The handler of the tests: reports to the <see cref="HandlerProbe"/> registered in its container.</summary>
public sealed class ProbeHandler(HandlerProbe probe) : IMessageHandler<ToolRequest>
{
    public async Task HandleAsync(MessageContext<ToolRequest> context, CancellationToken cancellationToken)
    {
        probe.RecordAttempt(context);
        if (probe.Behaviour is { } behaviour)
        {
            await behaviour(context, cancellationToken);
        }

        probe.RecordHandled(context);
    }
}
