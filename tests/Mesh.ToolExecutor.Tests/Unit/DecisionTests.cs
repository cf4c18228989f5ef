using System.Text;
using System.Text.Json;
using Mesh.Contracts.Tools;
using Mesh.ToolExecutor.Domain;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class DecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static ToolDescriptor Tool(TimeSpan cacheTtl) => new(
        "t", "1", "", JsonDocument.Parse("{}").RootElement, TimeSpan.FromSeconds(1), 1, 0m, true, cacheTtl, new HashSet<string>(), "builtin");

    private static CachedResult Entry(ToolResultStatus status, TimeSpan age) =>
        new(new ToolOutcome(status), Now - age);

    [Test]
    public void Smart_uses_only_a_fresh_success() =>
        Assert.Multiple(() =>
        {
            var ttl = TimeSpan.FromMinutes(1);
            Assert.That(CachePolicy.IsUsable(CacheStrategy.Smart, Entry(ToolResultStatus.Succeeded, TimeSpan.FromSeconds(59)), ttl, Now), Is.True);
            Assert.That(CachePolicy.IsUsable(CacheStrategy.Smart, Entry(ToolResultStatus.Succeeded, TimeSpan.FromSeconds(61)), ttl, Now), Is.False);
            Assert.That(CachePolicy.IsUsable(CacheStrategy.Smart, Entry(ToolResultStatus.Failed, TimeSpan.Zero), ttl, Now), Is.False);
        });

    [Test]
    public void Always_uses_any_kept_entry_and_never_uses_none() =>
        Assert.Multiple(() =>
        {
            var ttl = TimeSpan.FromMinutes(1);
            Assert.That(CachePolicy.IsUsable(CacheStrategy.Always, Entry(ToolResultStatus.Failed, TimeSpan.FromHours(1)), ttl, Now), Is.True);
            Assert.That(CachePolicy.IsUsable(CacheStrategy.Never, Entry(ToolResultStatus.Succeeded, TimeSpan.Zero), ttl, Now), Is.False);
            Assert.That(CachePolicy.ShouldLookUp(CacheStrategy.Never, Tool(ttl)), Is.False);
            Assert.That(CachePolicy.ShouldLookUp(CacheStrategy.Smart, Tool(TimeSpan.Zero)), Is.False);
        });

    [Test]
    public void Only_answers_the_tool_gave_are_stored() =>
        Assert.Multiple(() =>
        {
            var tool = Tool(TimeSpan.FromMinutes(1));
            Assert.That(CachePolicy.ShouldStore(tool, new ToolOutcome(ToolResultStatus.Succeeded)), Is.True);
            Assert.That(CachePolicy.ShouldStore(tool, new ToolOutcome(ToolResultStatus.Failed)), Is.True);
            Assert.That(CachePolicy.ShouldStore(tool, new ToolOutcome(ToolResultStatus.Timeout)), Is.False);
            Assert.That(CachePolicy.ShouldStore(tool, new ToolOutcome(ToolResultStatus.Denied)), Is.False);
            Assert.That(CachePolicy.ShouldStore(tool, new ToolOutcome(ToolResultStatus.Succeeded, FromCache: true)), Is.False);
            Assert.That(CachePolicy.ShouldStore(Tool(TimeSpan.Zero), new ToolOutcome(ToolResultStatus.Succeeded)), Is.False);
        });

    [TestCase(RecordState.New, true, InvocationAction.Run)]
    [TestCase(RecordState.New, false, InvocationAction.Run)]
    [TestCase(RecordState.Finished, true, InvocationAction.Republish)]
    [TestCase(RecordState.Finished, false, InvocationAction.Republish)]
    [TestCase(RecordState.Unfinished, true, InvocationAction.Run)]
    [TestCase(RecordState.Unfinished, false, InvocationAction.Interrupt)]
    public void Redeliveries_republish_and_crashed_runs_repeat_only_when_idempotent(RecordState state, bool idempotent, InvocationAction expected) =>
        Assert.That(InvocationPlan.Decide(state, idempotent), Is.EqualTo(expected));

    [Test]
    public void Output_within_the_limit_is_unchanged()
    {
        var output = JsonSerializer.SerializeToElement(new { text = "short" });
        var (limited, truncated) = OutputLimit.Apply(output, 1024);
        Assert.Multiple(() =>
        {
            Assert.That(truncated, Is.False);
            Assert.That(limited.GetRawText(), Is.EqualTo(output.GetRawText()));
        });
    }

    [Test]
    public void A_long_string_output_is_cut_to_the_limit_without_splitting_characters()
    {
        var text = string.Concat(Enumerable.Repeat("añ😀", 1000));
        var (limited, truncated) = OutputLimit.Apply(JsonSerializer.SerializeToElement(text), 1001);
        var cut = limited.GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(truncated, Is.True);
            Assert.That(JsonSerializer.SerializeToUtf8Bytes(cut), Has.Length.LessThanOrEqualTo(1001));
            Assert.That(text, Does.StartWith(cut));
            Assert.That(cut.Length, Is.GreaterThan(100));
            Assert.That(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(cut), Throws.Nothing);
        });
    }

    [Test]
    public void A_large_structured_output_becomes_the_beginning_of_its_json_text()
    {
        var output = JsonSerializer.SerializeToElement(new { rows = Enumerable.Range(0, 5000).ToArray() });
        var (limited, truncated) = OutputLimit.Apply(output, 2048);
        Assert.Multiple(() =>
        {
            Assert.That(truncated, Is.True);
            Assert.That(limited.ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(limited.GetString(), Does.StartWith("{\"rows\":[0,1,2,"));
            Assert.That(Encoding.UTF8.GetByteCount(limited.GetRawText()), Is.LessThanOrEqualTo(2048));
        });
    }

    [TestCase("host_not_allowed", "host_not_allowed")]
    [TestCase("mcp.tool_error2", "mcp.tool_error2")]
    [TestCase("Depth-Exceeded", "tool_error")]
    [TestCase("", "tool_error")]
    public void Error_codes_outside_the_result_contract_become_tool_error(string code, string expected) =>
        Assert.That(ToolOutcome.Failure(ToolResultStatus.Failed, code, "m").Error!.Code, Is.EqualTo(expected));
}
