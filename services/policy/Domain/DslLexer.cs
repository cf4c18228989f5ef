using System.Text;

namespace Mesh.Policy.Domain;

internal enum DslTokenKind
{
    Word,
    Colon,
    Hash,
    Comma,
    Star,
    LeftBracket,
    RightBracket,
    LeftParen,
    RightParen,
    LeftBrace,
    Less,
    Greater,
    NewLine,
    End,
}

internal readonly record struct DslToken(DslTokenKind Kind, string Text, int Line, int Column)
{
    public bool IsWord(string text) => Kind == DslTokenKind.Word && Text == text;

    public string Describe() => Kind switch
    {
        DslTokenKind.NewLine => "end of line",
        DslTokenKind.End => "end of model",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits DSL text into tokens. Comments are removed first the way OpenFGA's own transformer does:
/// a line whose first non-blank character is <c>#</c> is blank, and elsewhere <c>" #"</c> starts a comment.
/// </summary>
internal sealed class DslLexer
{
    private readonly string text;
    private int position;
    private int line = 1;
    private int lineStart;

    public DslLexer(string dsl)
    {
        text = RemoveComments(dsl);
    }

    public DslToken Next()
    {
        while (position < text.Length && text[position] is ' ' or '\t' or '\f')
        {
            position++;
        }

        if (position >= text.Length)
        {
            return new DslToken(DslTokenKind.End, string.Empty, line, Column);
        }

        var c = text[position];
        var column = Column;
        if (c == '\n')
        {
            var token = new DslToken(DslTokenKind.NewLine, "\n", line, column);
            position++;
            line++;
            lineStart = position;
            return token;
        }

        if (IsWordCharacter(c))
        {
            var start = position;
            while (position < text.Length && IsWordCharacter(text[position]))
            {
                position++;
            }

            return new DslToken(DslTokenKind.Word, text[start..position], line, column);
        }

        position++;
        var kind = c switch
        {
            ':' => DslTokenKind.Colon,
            '#' => DslTokenKind.Hash,
            ',' => DslTokenKind.Comma,
            '*' => DslTokenKind.Star,
            '[' => DslTokenKind.LeftBracket,
            ']' => DslTokenKind.RightBracket,
            '(' => DslTokenKind.LeftParen,
            ')' => DslTokenKind.RightParen,
            '{' => DslTokenKind.LeftBrace,
            '<' => DslTokenKind.Less,
            '>' => DslTokenKind.Greater,
            _ => throw new DslSyntaxException(line, column, $"unexpected character '{c}'"),
        };
        return new DslToken(kind, c.ToString(), line, column);
    }

    /// <summary>
    /// Reads a condition body up to its closing brace (braces inside string literals do not count) and
    /// consumes the brace; returns the trimmed expression.
    /// </summary>
    public string ReadConditionBody(int openLine, int openColumn)
    {
        var body = new StringBuilder();
        char? quote = null;
        while (position < text.Length)
        {
            var c = text[position];
            if (quote is null && c == '}')
            {
                position++;
                return body.ToString().Trim();
            }

            if (quote is not null && c == '\\' && position + 1 < text.Length)
            {
                body.Append(c).Append(text[position + 1]);
                position += 2;
                continue;
            }

            if (c is '"' or '\'')
            {
                quote = quote is null ? c : quote == c ? null : quote;
            }

            if (c == '\n')
            {
                line++;
                lineStart = position + 1;
            }

            body.Append(c);
            position++;
        }

        throw new DslSyntaxException(openLine, openColumn, "the condition's '{' is never closed");
    }

    private int Column => position - lineStart + 1;

    private static bool IsWordCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '/' or '.';

    private static string RemoveComments(string dsl)
    {
        var lines = dsl.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart(' ', '\t');
            if (trimmed.Length == 0 || trimmed[0] == '#')
            {
                lines[i] = string.Empty;
                continue;
            }

            var comment = lines[i].IndexOf(" #", StringComparison.Ordinal);
            lines[i] = (comment < 0 ? lines[i] : lines[i][..comment]).TrimEnd(' ', '\t');
        }

        return string.Join('\n', lines);
    }
}
