using Mesh.ConversationWorker.Domain;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class ConversationWindowTests
{
    [Test]
    public void The_newest_messages_within_the_message_limit_are_kept()
    {
        var window = ConversationWindow.Trim(Exchanges(5), maxMessages: 4, maxCharacters: 10_000);
        Assert.That(window.Select(m => m.Content), Is.EqualTo(new[] { "q4", "a4", "q5", "a5" }));
    }

    [Test]
    public void The_character_limit_drops_the_oldest_first()
    {
        // Each message is two characters: 7 fit in 15, and the window may not open with an answer, so 6 remain.
        var window = ConversationWindow.Trim(Exchanges(5), maxMessages: 100, maxCharacters: 15);
        Assert.Multiple(() =>
        {
            Assert.That(window.Select(m => m.Content), Is.EqualTo(new[] { "q3", "a3", "q4", "a4", "q5", "a5" }));
            Assert.That(window.Sum(m => m.Content!.Length), Is.LessThanOrEqualTo(15));
        });
    }

    [Test]
    public void The_window_never_starts_with_an_answer()
    {
        var window = ConversationWindow.Trim(Exchanges(3), maxMessages: 3, maxCharacters: 10_000);
        Assert.That(window[0].Role, Is.EqualTo(ChatRoles.User));
    }

    [Test]
    public void A_newest_message_longer_than_the_limit_leaves_the_window_empty_rather_than_cut()
    {
        IReadOnlyList<LlmMessage> messages = [.. Exchanges(1), new LlmMessage(ChatRoles.User, new string('x', 50))];
        Assert.That(ConversationWindow.Trim(messages, 10, 20), Is.Empty);
    }

    [Test]
    public void Appending_an_exchange_keeps_the_bounds()
    {
        IReadOnlyList<LlmMessage> window = [];
        for (var i = 1; i <= 30; i++)
        {
            window = ConversationWindow.Append(window, $"question {i}", $"answer {i}", maxMessages: 6, maxCharacters: 1000);
        }

        Assert.Multiple(() =>
        {
            Assert.That(window, Has.Count.EqualTo(6));
            Assert.That(window[^1].Content, Is.EqualTo("answer 30"));
            Assert.That(window[0].Content, Is.EqualTo("question 28"));
        });
    }

    [Test]
    public void Zero_limits_give_an_empty_window()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ConversationWindow.Trim(Exchanges(2), 0, 1000), Is.Empty);
            Assert.That(ConversationWindow.Trim(Exchanges(2), 10, 0), Is.Empty);
        });
    }

    private static List<LlmMessage> Exchanges(int count) =>
        [.. Enumerable.Range(1, count).SelectMany(i => new[] { new LlmMessage(ChatRoles.User, $"q{i}"), new LlmMessage(ChatRoles.Assistant, $"a{i}") })];
}
