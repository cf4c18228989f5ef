using Mesh.ConversationWorker.Domain;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class TextChunksTests
{
    [TestCase("The quick brown fox jumps over the lazy dog.", 3, 3)]
    [TestCase("  leading spaces and trailing  ", 2, 2)]
    [TestCase("one", 3, 1)]
    public void Pieces_put_together_are_the_text(string text, int words, int pieces)
    {
        var chunks = TextChunks.Split(text, words);
        Assert.Multiple(() =>
        {
            Assert.That(string.Concat(chunks), Is.EqualTo(text));
            Assert.That(chunks, Has.Count.EqualTo(pieces));
        });
    }

    [Test]
    public void Empty_text_has_no_pieces_and_blank_text_one()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TextChunks.Split("", 3), Is.Empty);
            Assert.That(TextChunks.Split("   ", 3), Is.EqualTo(new[] { "   " }));
        });
    }
}
