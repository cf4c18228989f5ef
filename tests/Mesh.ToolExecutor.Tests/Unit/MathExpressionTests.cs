using Mesh.ToolExecutor.Domain;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class MathExpressionTests
{
    [TestCase("1 + 2 * 3", "7")]
    [TestCase("(1 + 2) * 3", "9")]
    [TestCase("0.1 + 0.2", "0.3")]
    [TestCase("10 / 4", "2.5")]
    [TestCase("7 % 3", "1")]
    [TestCase("-2 ^ 2", "-4")]
    [TestCase("(-2) ^ 2", "4")]
    [TestCase("2 ^ 3 ^ 2", "512")]
    [TestCase("2 ^ -2", "0.25")]
    [TestCase("--3", "3")]
    [TestCase("sqrt(16) + abs(-3)", "7")]
    [TestCase("SQRT(16)", "4")]
    [TestCase("min(4, 2, 8) + max(1, 9)", "11")]
    [TestCase("round(2.345, 2)", "2.35")]
    [TestCase("round(2.5)", "3")]
    [TestCase("floor(-1.5) + ceil(1.2)", "0")]
    [TestCase("1e3 + 1", "1001")]
    [TestCase("1.50 * 2", "3")]
    [TestCase("2 ^ 0.5", "1.4142135623731")]
    public void Evaluates_arithmetic_exactly(string expression, string expected)
    {
        var value = MathExpression.Evaluate(expression);
        if (expected.Contains('.', StringComparison.Ordinal) && expected.Length > 10)
        {
            Assert.That((double)value, Is.EqualTo(double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)).Within(1e-12));
        }
        else
        {
            Assert.That(value.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));
        }
    }

    [TestCase("1 / 0", "division by zero", 2)]
    [TestCase("5 % (3 - 3)", "modulo by zero", 2)]
    [TestCase("0 ^ -1", "division by zero", 2)]
    [TestCase("sqrt(-1)", "square root of a negative number", 0)]
    [TestCase("(-8) ^ 0.5", "not a real number", 5)]
    [TestCase("10 ^ 100", "out of range", 3)]
    [TestCase("1 +", "ends too early", 3)]
    [TestCase("(1 + 2", "closing ')'", 6)]
    [TestCase("2 * x", "unknown name 'x'", 4)]
    [TestCase("system(1)", "unknown function 'system'", 0)]
    [TestCase("1 ; 2", "unexpected ';'", 2)]
    [TestCase("round(1.5, 0.5)", "whole number", 0)]
    [TestCase("abs(1, 2)", "abs takes 1 argument(s), not 2", 0)]
    [TestCase("", "empty", 0)]
    public void Refuses_what_it_cannot_evaluate_with_a_clear_error(string expression, string message, int position)
    {
        var error = Assert.Throws<MathExpressionException>(() => MathExpression.Evaluate(expression))!;
        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.Contain(message));
            Assert.That(error.Position, Is.EqualTo(position));
        });
    }

    [Test]
    public void Bounds_length_and_nesting()
    {
        var tooLong = string.Join("+", Enumerable.Repeat("1", MathExpression.MaxLength));
        var tooDeep = new string('(', 100) + "1" + new string(')', 100);
        var deepButAllowed = new string('(', 20) + "1" + new string(')', 20);
        Assert.Multiple(() =>
        {
            Assert.That(() => MathExpression.Evaluate(tooLong), Throws.TypeOf<MathExpressionException>().With.Message.Contains("longer than"));
            Assert.That(() => MathExpression.Evaluate(tooDeep), Throws.TypeOf<MathExpressionException>().With.Message.Contains("nests deeper"));
            Assert.That(() => MathExpression.Evaluate(new string('-', 200) + "1"), Throws.TypeOf<MathExpressionException>().With.Message.Contains("nests deeper"));
            Assert.That(MathExpression.Evaluate(deepButAllowed), Is.EqualTo(1m));
        });
    }

    [Test]
    public void Constants_are_available_case_insensitively() =>
        Assert.That(MathExpression.Evaluate("round(PI * e, 4)"), Is.EqualTo(8.5397m));
}
