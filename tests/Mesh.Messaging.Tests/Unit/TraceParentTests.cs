using System.Diagnostics;
using Mesh.Infra.Messaging;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Unit;

public sealed class TraceParentTests
{
    private const string SourceName = "Mesh.Messaging.Tests.TraceParent";

    private static readonly ActivitySource Source = new(SourceName);

    [Test]
    public void Formats_a_span_context_as_w3c_version_00()
    {
        var context = new ActivityContext(
            ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736"), ActivitySpanId.CreateFromString("00f067aa0ba902b7"), ActivityTraceFlags.Recorded);

        Assert.Multiple(() =>
        {
            Assert.That(TraceParent.Format(context), Is.EqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
            Assert.That(TraceParent.Format(new ActivityContext(context.TraceId, context.SpanId, ActivityTraceFlags.None)), Does.EndWith("-00"));
        });
    }

    [Test]
    public void Parses_what_it_formats()
    {
        Assert.That(TraceParent.TryParse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", out var context), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(context.TraceId.ToHexString(), Is.EqualTo("4bf92f3577b34da6a3ce929d0e0e4736"));
            Assert.That(context.SpanId.ToHexString(), Is.EqualTo("00f067aa0ba902b7"));
            Assert.That(context.TraceFlags, Is.EqualTo(ActivityTraceFlags.Recorded));
            Assert.That(context.IsRemote, Is.True);
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("garbage")]
    [TestCase("00-00000000000000000000000000000000-00f067aa0ba902b7-01")]
    [TestCase("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")]
    [TestCase("00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01")]
    public void Refuses_a_malformed_value(string? value)
    {
        Assert.That(TraceParent.TryParse(value, out _), Is.False);
    }

    [Test]
    public void Outgoing_value_is_the_producer_spans_own()
    {
        using var listener = ListenToTestSource();
        using var span = Source.StartActivity("publish", ActivityKind.Producer)!;

        var value = TraceParent.ForOutgoing(span);

        Assert.That(value, Is.EqualTo($"00-{span.TraceId.ToHexString()}-{span.SpanId.ToHexString()}-01"));
    }

    [Test]
    public void Outgoing_value_falls_back_to_the_current_activity_when_no_producer_span_was_recorded()
    {
        using var listener = ListenToTestSource();
        using var current = Source.StartActivity("request")!;

        Assert.That(TraceParent.ForOutgoing(null), Does.StartWith($"00-{current.TraceId.ToHexString()}-{current.SpanId.ToHexString()}-"));
    }

    [Test]
    public void Outgoing_value_without_any_activity_is_a_fresh_valid_unsampled_trace()
    {
        Activity.Current = null;

        var first = TraceParent.ForOutgoing(null);
        var second = TraceParent.ForOutgoing(null);

        Assert.Multiple(() =>
        {
            Assert.That(TraceParent.TryParse(first, out var context), Is.True);
            Assert.That(context.TraceFlags, Is.EqualTo(ActivityTraceFlags.None));
            Assert.That(second, Is.Not.EqualTo(first));
        });
    }

    private static ActivityListener ListenToTestSource()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
