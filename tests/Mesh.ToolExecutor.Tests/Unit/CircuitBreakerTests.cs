using Mesh.ToolExecutor.Domain;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class CircuitBreakerTests
{
    private readonly ManualClock clock = new();

    private CircuitBreaker NewBreaker() => new(threshold: 3, openDuration: TimeSpan.FromSeconds(10), clock);

    private static void Call(CircuitBreaker breaker, CallResult result)
    {
        Assert.That(breaker.TryEnter(out var probe), Is.True, "the breaker refused a call it should allow");
        breaker.Complete(probe, result);
    }

    [Test]
    public void Opens_after_the_threshold_of_consecutive_faults()
    {
        var breaker = NewBreaker();
        Call(breaker, CallResult.Fault);
        Call(breaker, CallResult.Fault);
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
        Call(breaker, CallResult.Fault);
        Assert.Multiple(() =>
        {
            Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
            Assert.That(breaker.TryEnter(out _), Is.False);
        });
    }

    [Test]
    public void A_success_resets_the_count_and_neutral_results_do_not_count()
    {
        var breaker = NewBreaker();
        Call(breaker, CallResult.Fault);
        Call(breaker, CallResult.Fault);
        Call(breaker, CallResult.Success);
        Call(breaker, CallResult.Fault);
        Call(breaker, CallResult.Neutral);
        Call(breaker, CallResult.Fault);
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public void After_the_open_period_exactly_one_probe_goes_through_and_its_success_closes_the_breaker()
    {
        var breaker = NewBreaker();
        for (var i = 0; i < 3; i++)
        {
            Call(breaker, CallResult.Fault);
        }
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.That(breaker.TryEnter(out _), Is.False, "still open before the period is over");
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.HalfOpen));

        Assert.That(breaker.TryEnter(out var probe), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(probe, Is.True);
            Assert.That(breaker.TryEnter(out _), Is.False, "a second call while the probe runs");
        });
        breaker.Complete(probe, CallResult.Success);
        Assert.Multiple(() =>
        {
            Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
            Assert.That(breaker.TryEnter(out var next), Is.True);
            Assert.That(next, Is.False);
        });
    }

    [Test]
    public void A_failed_probe_opens_the_breaker_for_another_period()
    {
        var breaker = NewBreaker();
        for (var i = 0; i < 3; i++)
        {
            Call(breaker, CallResult.Fault);
        }
        clock.Advance(TimeSpan.FromSeconds(10));
        Call(breaker, CallResult.Fault);
        Assert.Multiple(() =>
        {
            Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
            Assert.That(breaker.TryEnter(out _), Is.False);
        });
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That(breaker.TryEnter(out var probe), Is.True);
        Assert.That(probe, Is.True);
    }

    [Test]
    public void A_neutral_probe_lets_the_next_call_probe_again()
    {
        var breaker = NewBreaker();
        for (var i = 0; i < 3; i++)
        {
            Call(breaker, CallResult.Fault);
        }
        clock.Advance(TimeSpan.FromSeconds(10));
        Call(breaker, CallResult.Neutral);
        Assert.Multiple(() =>
        {
            Assert.That(breaker.State, Is.EqualTo(CircuitState.HalfOpen));
            Assert.That(breaker.TryEnter(out var probe), Is.True);
            Assert.That(probe, Is.True);
        });
    }
}
