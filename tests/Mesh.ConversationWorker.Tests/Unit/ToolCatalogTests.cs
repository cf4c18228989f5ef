using Mesh.ConversationWorker.Llm;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class ToolCatalogTests
{
    [Test]
    public void The_executors_list_is_read_with_names_descriptions_and_schemas()
    {
        var tools = ToolCatalog.Parse(
            """
            {"tools":[
              {"name":"math.evaluate","version":"1","description":"Evaluates arithmetic.","input_schema":{"type":"object","required":["expression"]},"available":true},
              {"name":"files.read","description":"MCP tool","input_schema":{"type":"object"},"available":false},
              {"name":"echo"}
            ]}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(tools.Select(t => t.Name), Is.EqualTo(new[] { "math.evaluate", "echo" }), "unavailable tools are not offered");
            Assert.That(tools[0].Description, Is.EqualTo("Evaluates arithmetic."));
            Assert.That(tools[0].Parameters!.Value.GetProperty("required")[0].GetString(), Is.EqualTo("expression"));
            Assert.That(tools[1].Parameters, Is.Null);
        });
    }

    [Test]
    public void A_plain_array_with_another_schema_field_is_read_too()
    {
        var tools = ToolCatalog.Parse("""[{"name":"echo","parameters":{"type":"object","properties":{"text":{"type":"string"}}}}]""");
        Assert.That(tools[0].Parameters!.Value.GetProperty("properties").TryGetProperty("text", out _), Is.True);
    }

    [Test]
    public void Something_else_is_refused()
    {
        Assert.That(() => ToolCatalog.Parse("""{"items":[]}"""), Throws.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void Function_names_travel_without_dots_and_come_back_as_tool_names()
    {
        var names = new FunctionNames(["math.evaluate", "server.read/file"]);
        Assert.Multiple(() =>
        {
            Assert.That(FunctionNames.ToFunction("math.evaluate"), Is.EqualTo("math_evaluate"));
            Assert.That(names.ToMesh("math_evaluate"), Is.EqualTo("math.evaluate"));
            Assert.That(names.ToMesh(FunctionNames.ToFunction("server.read/file")), Is.EqualTo("server.read/file"));
            Assert.That(names.ToMesh("not_offered"), Is.EqualTo("not_offered"));
        });
    }
}
