using System.Text.Json;
using Mesh.ToolExecutor.Domain;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary><c>math.evaluate</c>: exact arithmetic with <see cref="MathExpression"/>.</summary>
public sealed class MathEvaluateTool : ITool
{
    public ToolDescriptor Descriptor { get; } = BuiltIn.Describe(
        "math.evaluate",
        "Evaluates an arithmetic expression exactly: numbers, + - * / % ^, parentheses, unary minus, "
        + "sqrt abs min max round floor ceil, pi and e. Nothing else runs.",
        $$"""
        {
          "$schema": "http://json-schema.org/draft-07/schema#",
          "type": "object",
          "additionalProperties": false,
          "required": ["expression"],
          "properties": {
            "expression": { "type": "string", "minLength": 1, "maxLength": {{MathExpression.MaxLength}} }
          }
        }
        """,
        timeout: TimeSpan.FromSeconds(2),
        idempotent: true,
        cacheTtl: TimeSpan.FromHours(1),
        caseInsensitiveFields: ["expression"]);

    public Task<JsonElement> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var expression = call.Arguments.GetProperty("expression").GetString()!;
        try
        {
            return Task.FromResult(ToolSchemas.Output(new { result = MathExpression.Evaluate(expression), expression }));
        }
        catch (MathExpressionException e)
        {
            throw new ToolArgumentException($"{e.Message} (at position {e.Position})");
        }
    }
}
