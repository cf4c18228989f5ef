using System.Text.Json.Nodes;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.External;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

[TestFixture]
public sealed class RomaClientTests
{
    [TestCase("pending", DelegationStatus.Pending)]
    [TestCase("RUNNING", DelegationStatus.Running)]
    [TestCase("completed", DelegationStatus.Completed)]
    [TestCase("failed", DelegationStatus.Failed)]
    [TestCase("cancelled", DelegationStatus.Cancelled)]
    [TestCase("canceled", DelegationStatus.Cancelled)]
    public void Remote_status_maps_to_the_mesh_status(string remote, DelegationStatus status) =>
        Assert.That(RomaClient.MapStatus(remote), Is.EqualTo(status));

    [Test]
    public void Unknown_remote_status_maps_to_nothing_so_it_fails_closed() =>
        Assert.That(RomaClient.MapStatus("paused"), Is.Null);

    [Test]
    public void Result_comes_from_the_result_member_or_else_the_root_task()
    {
        var direct = JsonNode.Parse("""{ "execution_id": "x", "result": "the answer" }""")!.AsObject();
        var structured = JsonNode.Parse("""{ "final_result": { "b": 1 } }""")!.AsObject();
        var fromDag = JsonNode.Parse("""{ "dag": { "tasks": [ { "task_id": "2", "parent_id": "1", "result": "part" }, { "task_id": "1", "result": "whole" } ] } }""")!.AsObject();
        var none = JsonNode.Parse("""{ "execution_id": "x" }""")!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(RomaClient.ResultOf(direct), Is.EqualTo("the answer"));
            Assert.That(RomaClient.ResultOf(structured), Is.EqualTo("{\"b\":1}"));
            Assert.That(RomaClient.ResultOf(fromDag), Is.EqualTo("whole"));
            Assert.That(RomaClient.ResultOf(none), Is.Null);
        });
    }

    [Test]
    public void Offline_aggregation_lists_each_sub_task_with_its_result_or_why_it_has_none()
    {
        var combined = Prompts.Combine(
        [
            new TaskSnapshot(Guid.NewGuid(), null, 2, 1, TaskKind.Work, "second", [], DelegationStatus.Failed, ErrorCode: "task_timeout"),
            new TaskSnapshot(Guid.NewGuid(), null, 1, 1, TaskKind.Work, "first", [], DelegationStatus.Completed, "one"),
        ]);

        Assert.That(combined, Is.EqualTo("1. first\none\n\n2. second\n(no result: failed, task_timeout)"));
    }
}
