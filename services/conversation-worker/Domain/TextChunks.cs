using System.Text.RegularExpressions;

namespace Mesh.ConversationWorker.Domain;

/// <summary>Cuts an answer into streaming pieces of a few words each; the pieces put together are the answer.</summary>
public static partial class TextChunks
{
    public static IReadOnlyList<string> Split(string text, int wordsPerChunk)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(wordsPerChunk, 1);
        var words = Word().Matches(text).Select(m => m.Value).ToList();
        if (words.Count == 0)
        {
            return text.Length == 0 ? [] : [text];
        }

        var leading = text[..text.IndexOf(words[0], StringComparison.Ordinal)];
        var chunks = words.Chunk(wordsPerChunk).Select(group => string.Concat(group)).ToList();
        chunks[0] = leading + chunks[0];
        return chunks;
    }

    [GeneratedRegex(@"\S+\s*")]
    private static partial Regex Word();
}
