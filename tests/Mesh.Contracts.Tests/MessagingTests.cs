using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using NUnit.Framework;

namespace Mesh.Contracts.Tests;

public sealed class MessagingTests
{
    [Test]
    public void Dead_letter_topic_is_the_topic_with_a_dlq_suffix()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MeshTopics.Dlq(MeshTopics.ToolRequests), Is.EqualTo("tool.requests.dlq"));
            Assert.That(MeshTopics.Dlq("t-42.tool.requests"), Is.EqualTo("t-42.tool.requests.dlq"));
            Assert.That(MeshTopics.IsDlq("tool.requests.dlq"), Is.True);
            Assert.That(MeshTopics.IsDlq(MeshTopics.ToolRequests), Is.False);
            Assert.That(() => MeshTopics.Dlq("tool.requests.dlq"), Throws.ArgumentException);
            Assert.That(() => MeshTopics.Dlq(" "), Throws.ArgumentException);
        });
    }

    [Test]
    public void Every_architecture_topic_has_a_contract()
    {
        Assert.That(MeshTopics.All.Select(contract => contract.Topic), Is.EquivalentTo(new[]
        {
            "conversation.inbound", "conversation.outbound", "tool.requests", "tool.results", "policy.decisions",
        }));
    }

    [Test]
    public void Topics_carry_their_schemas_and_are_keyed_by_a_required_field()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MeshTopics.FindContract(MeshTopics.ConversationInbound)?.SchemaId, Is.EqualTo(MeshSchemas.ConversationMessage));
            Assert.That(MeshTopics.FindContract(MeshTopics.PolicyDecisions)?.KeyField, Is.EqualTo("tenant_id"));
            foreach (var contract in MeshTopics.All)
            {
                var schema = MeshSchemas.Find(contract.SchemaId);
                Assert.That(schema, Is.Not.Null, contract.Topic);
                var required = ContractFiles.ReadSchema(schema!.FileName)["required"]!.AsArray().Select(name => name!.GetValue<string>());
                Assert.That(required, Does.Contain(contract.KeyField), contract.Topic);
            }
        });
    }

    [Test]
    public void Dead_letter_topic_has_the_contract_of_its_source()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MeshTopics.FindContract("tool.results.dlq"), Is.EqualTo(MeshTopics.FindContract(MeshTopics.ToolResults)));
            Assert.That(MeshTopics.FindContract("nothing.here"), Is.Null);
            Assert.That(MeshTopics.FindContract("nothing.here.dlq"), Is.Null);
        });
    }

    [Test]
    public void Header_names_are_the_architecture_names()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MeshHeaders.Standard, Is.EqualTo(new[]
            {
                "message-id", "correlation-id", "causation-id", "traceparent", "tenant-id", "content-type", "schema",
            }));
            Assert.That(MeshHeaders.DeadLetter, Is.EqualTo(new[]
            {
                "error-type", "error-message", "source-topic", "source-partition", "source-offset", "failed-at", "attempt", "replayed-from",
            }));
            Assert.That(MeshHeaders.Standard.Concat(MeshHeaders.DeadLetter), Is.Unique);
        });
    }
}
