using Mesh.Contracts.Conversations;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class DelegationGrantTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_turn_without_labels_is_unrestricted()
    {
        var grant = DelegationGrant.FromLabels(null);
        Assert.Multiple(() =>
        {
            Assert.That(grant.AllowsTool("kv.set"), Is.True);
            Assert.That(grant.RefusesModelCall(1_000_000, 1_000_000, Now), Is.Null);
        });
    }

    [Test]
    public void The_labels_written_by_the_delegation_service_restrict_tools_tokens_and_time()
    {
        var grant = DelegationGrant.FromLabels(new Dictionary<string, string>
        {
            [DelegationGrant.AllowedToolsLabel] = "echo, math.evaluate",
            [DelegationGrant.TokenBudgetLabel] = "500",
            [DelegationGrant.DeadlineLabel] = "2026-03-01T12:00:30.000Z",
        });

        Assert.Multiple(() =>
        {
            Assert.That(grant.AllowsTool("math.evaluate"), Is.True);
            Assert.That(grant.AllowsTool("kv.set"), Is.False);
            Assert.That(grant.RefusesModelCall(300, 200, Now), Is.Null, "exactly the budget is still allowed");
            Assert.That(grant.RefusesModelCall(300, 201, Now)?.Code, Is.EqualTo("budget_exceeded"));
            Assert.That(grant.RefusesModelCall(0, 1, Now.AddSeconds(30))?.Code, Is.EqualTo("deadline_exceeded"));
        });
    }

    [Test]
    public void An_empty_tool_list_allows_no_tool()
    {
        var grant = DelegationGrant.FromLabels(new Dictionary<string, string> { [DelegationGrant.AllowedToolsLabel] = "" });
        Assert.That(grant.AllowsTool("echo"), Is.False);
    }

    [Test]
    public void Unreadable_limits_fail_closed()
    {
        var grant = DelegationGrant.FromLabels(new Dictionary<string, string>
        {
            [DelegationGrant.TokenBudgetLabel] = "lots",
            [DelegationGrant.DeadlineLabel] = "soon",
        });
        Assert.Multiple(() =>
        {
            Assert.That(grant.RefusesModelCall(0, 1, Now)?.Code, Is.EqualTo("deadline_exceeded"));
            Assert.That(grant with { Deadline = null }, Has.Property(nameof(DelegationGrant.TokenBudget)).EqualTo(0L));
        });
    }
}
