using System.Text.Json;
using Mesh.ToolExecutor.Domain;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class ToolArgumentsTests
{
    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Test]
    public void Normalized_form_sorts_keys_at_every_level_and_drops_whitespace() =>
        Assert.That(
            ToolArguments.Normalize(Json("""{ "b": 1, "a": { "z": [ 2, { "y": true, "x": null } ], "c": "C" } }""")),
            Is.EqualTo("""{"a":{"c":"C","z":[2,{"x":null,"y":true}]},"b":1}"""));

    [Test]
    public void Numbers_are_compared_by_value() =>
        Assert.That(ToolArguments.Normalize(Json("""{"n": 1.50, "m": 2.0e1}""")), Is.EqualTo("""{"m":20,"n":1.5}"""));

    [Test]
    public void Only_declared_case_insensitive_fields_are_folded()
    {
        var fields = new HashSet<string> { "query" };
        var normalized = ToolArguments.Normalize(Json("""{"query": "PostgreSQL Tips", "tags": ["Mixed"], "nested": {"query": "Keep"}}"""), fields);
        Assert.That(normalized, Is.EqualTo("""{"nested":{"query":"Keep"},"query":"postgresql tips","tags":["Mixed"]}"""));
    }

    [Test]
    public void Cache_key_is_sixteen_hex_characters_and_deterministic()
    {
        var key = ToolArguments.CacheKey("math.evaluate", "1", """{"expression":"1+1"}""");
        Assert.Multiple(() =>
        {
            Assert.That(key, Does.Match("^[0-9a-f]{16}$"));
            Assert.That(ToolArguments.CacheKey("math.evaluate", "1", """{"expression":"1+1"}"""), Is.EqualTo(key));
        });
    }

    [Test]
    public void Cache_key_changes_with_tool_version_and_arguments_but_not_with_key_order_or_folded_case()
    {
        var fields = new HashSet<string> { "expression" };
        string Key(string tool, string version, string args) => ToolArguments.CacheKey(tool, version, ToolArguments.Normalize(Json(args), fields));
        var baseline = Key("math.evaluate", "1", """{"expression":"SQRT(4)","x":1}""");
        Assert.Multiple(() =>
        {
            Assert.That(Key("math.evaluate", "1", """{"x":1,"expression":"sqrt(4)"}"""), Is.EqualTo(baseline));
            Assert.That(Key("math.evaluate", "2", """{"expression":"SQRT(4)","x":1}"""), Is.Not.EqualTo(baseline));
            Assert.That(Key("echo", "1", """{"expression":"SQRT(4)","x":1}"""), Is.Not.EqualTo(baseline));
            Assert.That(Key("math.evaluate", "1", """{"expression":"SQRT(5)","x":1}"""), Is.Not.EqualTo(baseline));
        });
    }

    [Test]
    public void Name_and_version_cannot_run_into_the_arguments() =>
        Assert.That(ToolArguments.CacheKey("a", "1\n{}", "{}"), Is.Not.EqualTo(ToolArguments.CacheKey("a\n1", "{}", "{}")));

    [Test]
    public void Digest_is_sha256_of_the_normalized_arguments() =>
        Assert.That(ToolArguments.Digest("{}"), Is.EqualTo("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"));
}
