using Mesh.Delegation.Domain;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

[TestFixture]
public sealed class OfflinePlannerTests
{
    [Test]
    public void Numbered_list_splits_into_independent_steps_and_drops_the_heading()
    {
        var split = OfflinePlanner.Split("Plan the offsite:\n1. Book a venue\n2. Order catering\n3. Send the invitations.");

        Assert.Multiple(() =>
        {
            Assert.That(split.Steps.Select(s => s.Goal), Is.EqualTo(new[] { "Book a venue", "Order catering", "Send the invitations" }));
            Assert.That(split.Steps.All(s => s.DependsOn.Count == 0), Is.True);
        });
    }

    [Test]
    public void Bullet_item_starting_with_then_depends_on_the_one_before()
    {
        var split = OfflinePlanner.Split("- Collect the sales figures\n- then chart them\n  by region\n* Write a note");

        Assert.Multiple(() =>
        {
            Assert.That(split.Steps.Select(s => s.Goal), Is.EqualTo(new[] { "Collect the sales figures", "chart them by region", "Write a note" }));
            Assert.That(split.Steps[1].DependsOn, Is.EqualTo(new[] { 0 }));
            Assert.That(split.Steps[2].DependsOn, Is.Empty);
        });
    }

    [Test]
    public void Inline_enumeration_splits_on_consecutive_numbers_from_one()
    {
        var split = OfflinePlanner.Split("Please do: 1. find the capital of France 2. find the capital of Spain");

        Assert.That(split.Steps.Select(s => s.Goal), Is.EqualTo(new[] { "find the capital of France", "find the capital of Spain" }));
    }

    [Test]
    public void Comma_then_makes_a_chain_of_dependent_steps()
    {
        var split = OfflinePlanner.Split("Gather the incident timeline, then draft a postmortem and then send it to the team.");

        Assert.Multiple(() =>
        {
            Assert.That(split.Steps.Select(s => s.Goal), Is.EqualTo(new[] { "Gather the incident timeline", "draft a postmortem", "send it to the team" }));
            Assert.That(split.Steps.Select(s => s.DependsOn.ToArray()), Is.EqualTo(new[] { Array.Empty<int>(), new[] { 0 }, new[] { 1 } }));
        });
    }

    [Test]
    public void And_splits_only_before_an_imperative_verb()
    {
        var split = OfflinePlanner.Split("Summarize the quarterly report, list the top three risks and draft an email to the board");
        var whole = OfflinePlanner.Split("Compare train and car travel times from Zurich to Bern");

        Assert.Multiple(() =>
        {
            Assert.That(split.Steps.Select(s => s.Goal), Is.EqualTo(new[] { "Summarize the quarterly report", "list the top three risks", "draft an email to the board" }));
            Assert.That(whole.IsAtomic, Is.True);
        });
    }

    [TestCase("What is 12 * 7?")]
    [TestCase("Fetch https://example.org/1.2.3 and nothing else")]
    [TestCase("1. Only one item")]
    [TestCase("Tell me about salt and pepper")]
    public void Goal_without_a_split_rule_is_atomic(string goal) =>
        Assert.That(OfflinePlanner.Split(goal).IsAtomic, Is.True);
}
