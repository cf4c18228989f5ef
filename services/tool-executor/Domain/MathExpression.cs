using System.Globalization;

namespace Mesh.ToolExecutor.Domain;

/// <summary>Why an expression cannot be evaluated: its position (from 0) and the reason in words.</summary>
public sealed class MathExpressionException(string message, int position) : Exception(message)
{
    /// <summary>Where in the expression the problem is, from 0.</summary>
    public int Position { get; } = position;
}

/// <summary>
/// A safe arithmetic evaluator: a recursive-descent parser over numbers, <c>+ - * / % ^</c>, parentheses,
/// unary minus and the functions <c>sqrt abs min max round floor ceil</c> and constants <c>pi e</c>. It evaluates
/// in <see cref="decimal"/> (28 significant digits, so 0.1 + 0.2 is exactly 0.3); square roots and fractional
/// powers go through <see cref="double"/>. Nothing but arithmetic can run. Length and nesting are bounded, and
/// every failure (syntax, division by zero, out of range) is a <see cref="MathExpressionException"/>.
/// </summary>
public sealed class MathExpression
{
    /// <summary>The longest expression accepted.</summary>
    public const int MaxLength = 1000;

    /// <summary>The deepest nesting of parentheses, function calls, unary signs and powers.</summary>
    public const int MaxDepth = 64;

    /// <summary>The largest integer exponent computed exactly.</summary>
    public const int MaxExactExponent = 1000;

    private readonly string text;
    private int position;
    private int depth;

    private MathExpression(string text) => this.text = text;

    /// <summary>Evaluates <paramref name="expression"/>. Function and constant names are case-insensitive.</summary>
    public static decimal Evaluate(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (expression.Length > MaxLength)
        {
            throw new MathExpressionException($"the expression is longer than {MaxLength} characters", MaxLength);
        }
        var parser = new MathExpression(expression);
        parser.SkipSpace();
        if (parser.AtEnd)
        {
            throw new MathExpressionException("the expression is empty", 0);
        }
        var value = parser.ParseSum();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw new MathExpressionException($"unexpected '{parser.text[parser.position]}'", parser.position);
        }
        return Normalize(value);
    }

    private bool AtEnd => position >= text.Length;

    private decimal ParseSum()
    {
        var value = ParseProduct();
        while (true)
        {
            SkipSpace();
            var at = position;
            if (Accept('+'))
            {
                var right = ParseProduct();
                value = Checked(() => value + right, at);
            }
            else if (Accept('-'))
            {
                var right = ParseProduct();
                value = Checked(() => value - right, at);
            }
            else
            {
                return value;
            }
        }
    }

    private decimal ParseProduct()
    {
        var value = ParseUnary();
        while (true)
        {
            SkipSpace();
            var at = position;
            if (Accept('*'))
            {
                var right = ParseUnary();
                value = Checked(() => value * right, at);
            }
            else if (Accept('/'))
            {
                var right = ParseUnary();
                value = right == 0 ? throw new MathExpressionException("division by zero", at) : Checked(() => value / right, at);
            }
            else if (Accept('%'))
            {
                var right = ParseUnary();
                value = right == 0 ? throw new MathExpressionException("modulo by zero", at) : Checked(() => value % right, at);
            }
            else
            {
                return value;
            }
        }
    }

    // Unary minus binds looser than '^': -2^2 is -(2^2) = -4, as in mathematics.
    private decimal ParseUnary()
    {
        SkipSpace();
        var at = position;
        if (Accept('-'))
        {
            return Nested(() => -ParseUnary(), at);
        }
        if (Accept('+'))
        {
            return Nested(ParseUnary, at);
        }
        return ParsePower();
    }

    // '^' is right-associative: 2^3^2 is 2^(3^2).
    private decimal ParsePower()
    {
        var baseValue = ParsePrimary();
        SkipSpace();
        var at = position;
        if (!Accept('^'))
        {
            return baseValue;
        }
        var exponent = Nested(ParseUnary, at);
        return Power(baseValue, exponent, at);
    }

    private decimal ParsePrimary()
    {
        SkipSpace();
        if (AtEnd)
        {
            throw new MathExpressionException("the expression ends too early", position);
        }
        var at = position;
        var c = text[position];
        if (Accept('('))
        {
            var value = Nested(ParseSum, at);
            Expect(')', "a closing ')'");
            return value;
        }
        if (char.IsAsciiDigit(c) || c == '.')
        {
            return ParseNumber();
        }
        if (char.IsAsciiLetter(c))
        {
            return ParseName();
        }
        throw new MathExpressionException($"unexpected '{c}'", at);
    }

    private decimal ParseNumber()
    {
        var start = position;
        while (!AtEnd && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
        {
            position++;
        }
        if (!AtEnd && text[position] is 'e' or 'E')
        {
            var mark = position;
            position++;
            if (!AtEnd && text[position] is '+' or '-')
            {
                position++;
            }
            if (AtEnd || !char.IsAsciiDigit(text[position]))
            {
                position = mark;
            }
            else
            {
                while (!AtEnd && char.IsAsciiDigit(text[position]))
                {
                    position++;
                }
            }
        }
        var literal = text[start..position];
        if (!decimal.TryParse(literal, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value))
        {
            throw new MathExpressionException($"'{literal}' is not a number in range", start);
        }
        return value;
    }

    private decimal ParseName()
    {
        var start = position;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '_'))
        {
            position++;
        }
        var name = text[start..position].ToLowerInvariant();
        SkipSpace();
        if (!Accept('('))
        {
            return name switch
            {
                "pi" => 3.1415926535897932384626433833m,
                "e" => 2.7182818284590452353602874714m,
                _ => throw new MathExpressionException($"unknown name '{name}'", start),
            };
        }
        var arguments = Nested(ParseArguments, start);
        return Call(name, arguments, start);
    }

    private List<decimal> ParseArguments()
    {
        var arguments = new List<decimal>();
        SkipSpace();
        if (Accept(')'))
        {
            return arguments;
        }
        do
        {
            arguments.Add(ParseSum());
            SkipSpace();
        }
        while (Accept(','));
        Expect(')', "',' or ')'");
        return arguments;
    }

    private static decimal Call(string name, List<decimal> args, int at)
    {
        switch (name)
        {
            case "sqrt":
                RequireCount(name, args, 1, 1, at);
                return args[0] < 0
                    ? throw new MathExpressionException("square root of a negative number", at)
                    : FromDouble(Math.Sqrt((double)args[0]), at);
            case "abs":
                RequireCount(name, args, 1, 1, at);
                return Math.Abs(args[0]);
            case "floor":
                RequireCount(name, args, 1, 1, at);
                return Math.Floor(args[0]);
            case "ceil":
                RequireCount(name, args, 1, 1, at);
                return Math.Ceiling(args[0]);
            case "round":
                RequireCount(name, args, 1, 2, at);
                var digits = args.Count == 2 ? args[1] : 0;
                if (digits != Math.Floor(digits) || digits is < 0 or > 28)
                {
                    throw new MathExpressionException("round's digits must be a whole number from 0 to 28", at);
                }
                return Math.Round(args[0], (int)digits, MidpointRounding.AwayFromZero);
            case "min":
                RequireCount(name, args, 1, int.MaxValue, at);
                return args.Min();
            case "max":
                RequireCount(name, args, 1, int.MaxValue, at);
                return args.Max();
            default:
                throw new MathExpressionException($"unknown function '{name}'", at);
        }
    }

    private static void RequireCount(string name, List<decimal> args, int min, int max, int at)
    {
        if (args.Count < min || args.Count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new MathExpressionException($"{name} takes {expected} argument(s), not {args.Count}", at);
        }
    }

    private static decimal Power(decimal baseValue, decimal exponent, int at)
    {
        if (exponent == Math.Floor(exponent) && Math.Abs(exponent) <= MaxExactExponent)
        {
            if (baseValue == 0 && exponent < 0)
            {
                throw new MathExpressionException("division by zero (zero to a negative power)", at);
            }
            var result = 1m;
            var factor = baseValue;
            var remaining = (int)Math.Abs(exponent);
            try
            {
                while (remaining > 0)
                {
                    if ((remaining & 1) == 1)
                    {
                        result *= factor;
                    }
                    remaining >>= 1;
                    if (remaining > 0)
                    {
                        factor *= factor;
                    }
                }
                return exponent < 0 ? 1m / result : result;
            }
            catch (OverflowException)
            {
                throw new MathExpressionException("the result is out of range", at);
            }
        }
        if (baseValue < 0)
        {
            throw new MathExpressionException("a negative number to a fractional power is not a real number", at);
        }
        return FromDouble(Math.Pow((double)baseValue, (double)exponent), at);
    }

    private static decimal FromDouble(double value, int at)
    {
        if (!double.IsFinite(value) || Math.Abs(value) >= (double)decimal.MaxValue)
        {
            throw new MathExpressionException("the result is out of range", at);
        }
        return (decimal)value;
    }

    private T Nested<T>(Func<T> parse, int at)
    {
        if (++depth > MaxDepth)
        {
            throw new MathExpressionException($"the expression nests deeper than {MaxDepth} levels", at);
        }
        try
        {
            return parse();
        }
        finally
        {
            depth--;
        }
    }

    private static decimal Checked(Func<decimal> operation, int at)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            throw new MathExpressionException("the result is out of range", at);
        }
    }

    private bool Accept(char c)
    {
        if (!AtEnd && text[position] == c)
        {
            position++;
            return true;
        }
        return false;
    }

    private void Expect(char c, string what)
    {
        SkipSpace();
        if (!Accept(c))
        {
            throw new MathExpressionException(AtEnd ? $"expected {what} at the end" : $"expected {what}, found '{text[position]}'", position);
        }
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(text[position]))
        {
            position++;
        }
    }

    // 1.50 and 1.5 are the same number: drop the trailing zeros decimal keeps from its inputs.
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;
}
