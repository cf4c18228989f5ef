using Mesh.Delegation.Domain;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

[TestFixture]
public sealed class AuthorityTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 14, 9, 30, 0, TimeSpan.Zero);

    private static ParentGrant Parent(int taskDepth = 1, int maxDepth = 2, string[]? tools = null, long? tokens = null, DateTimeOffset? deadline = null, int nested = 0) =>
        new(Guid.NewGuid(), Guid.NewGuid(), "acme", "alice", taskDepth, maxDepth, tools, tokens, deadline, nested);

    [Test]
    public void Top_level_execution_gets_what_it_asks_within_its_profiles_tools()
    {
        var (grant, refusal) = Authority.Narrow(new GrantRequest(2, ["http.fetch", "math.evaluate"], ["math.evaluate", "clock.now"], 500, 60_000), null, 8, Now);

        Assert.Multiple(() =>
        {
            Assert.That(refusal, Is.Null);
            Assert.That(grant, Is.EqualTo(grant! with { BaseDepth = 0, MaxDepth = 2, TokenBudget = 500, TimeBudgetMs = 60_000 }));
            Assert.That(grant!.AllowedTools, Is.EqualTo(new[] { "math.evaluate" }));
        });
    }

    [Test]
    public void Nested_execution_starts_one_level_below_its_delegating_task_within_the_parents_limit()
    {
        var (grant, _) = Authority.Narrow(new GrantRequest(5, null, null, null, null), Parent(taskDepth: 1, maxDepth: 3), 8, Now);

        Assert.Multiple(() =>
        {
            Assert.That(grant!.BaseDepth, Is.EqualTo(2));
            Assert.That(grant.MaxDepth, Is.EqualTo(3), "a nested execution never raises the parent's depth limit");
        });
    }

    [Test]
    public void Delegating_from_the_depth_limit_is_refused()
    {
        var (grant, refusal) = Authority.Narrow(new GrantRequest(2, null, null, null, null), Parent(taskDepth: 2, maxDepth: 2), 8, Now);

        Assert.Multiple(() =>
        {
            Assert.That(grant, Is.Null);
            Assert.That(refusal!.Code, Is.EqualTo(ErrorCodes.DepthLimitExceeded));
        });
    }

    [Test]
    public void Nested_execution_gets_at_most_the_parents_remaining_tokens_time_and_tools()
    {
        var parent = Parent(tools: ["clock.now", "math.evaluate"], tokens: 300, deadline: Now + TimeSpan.FromSeconds(20));
        var (grant, _) = Authority.Narrow(new GrantRequest(2, ["math.evaluate", "http.fetch"], null, 1000, 60_000), parent, 8, Now);
        var (unasked, _) = Authority.Narrow(new GrantRequest(2, null, null, null, null), parent, 8, Now);

        Assert.Multiple(() =>
        {
            Assert.That(grant!.TokenBudget, Is.EqualTo(300));
            Assert.That(grant.TimeBudgetMs, Is.EqualTo(20_000));
            Assert.That(grant.AllowedTools, Is.EqualTo(new[] { "math.evaluate" }));
            Assert.That(unasked!.TokenBudget, Is.EqualTo(300));
            Assert.That(unasked.AllowedTools, Is.EqualTo(new[] { "clock.now", "math.evaluate" }));
        });
    }

    [TestCase(0L, null, 0, ErrorCodes.TokenBudgetExhausted)]
    [TestCase(null, -1, 0, ErrorCodes.TimeBudgetExhausted)]
    [TestCase(null, null, 8, ErrorCodes.FanOutLimitExceeded)]
    public void Nested_execution_is_refused_when_the_parent_has_nothing_left_to_hand_on(long? tokens, int? secondsLeft, int nested, string code)
    {
        var parent = Parent(tokens: tokens, deadline: secondsLeft is { } s ? Now + TimeSpan.FromSeconds(s) : null, nested: nested);

        Assert.That(Authority.Narrow(new GrantRequest(2, null, null, null, null), parent, 8, Now).Refusal?.Code, Is.EqualTo(code));
    }
}
