using System.Text;
using Confluent.Kafka;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Schemas;
using Mesh.Infra.Messaging;
using NUnit.Framework;

namespace Mesh.Messaging.Tests.Unit;

public sealed class MessageHeadersTests
{
    private const string TraceParentValue = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Test]
    public void New_message_carries_every_standard_header_once_in_contract_order()
    {
        var messageId = Guid.NewGuid();
        var headers = MessageHeaders.Create(MeshSchemas.ToolRequest, new PublishContext("acme", "turn-7", "cause-3"), messageId, TraceParentValue);

        var values = MessageHeaders.Read(headers);
        Assert.Multiple(() =>
        {
            Assert.That(headers.Select(h => h.Key), Is.EqualTo(MeshHeaders.Standard));
            Assert.That(values[MeshHeaders.MessageId], Is.EqualTo(messageId.ToString("D")));
            Assert.That(values[MeshHeaders.CorrelationId], Is.EqualTo("turn-7"));
            Assert.That(values[MeshHeaders.CausationId], Is.EqualTo("cause-3"));
            Assert.That(values[MeshHeaders.TraceParent], Is.EqualTo(TraceParentValue));
            Assert.That(values[MeshHeaders.TenantId], Is.EqualTo("acme"));
            Assert.That(values[MeshHeaders.ContentType], Is.EqualTo("application/json"));
            Assert.That(values[MeshHeaders.Schema], Is.EqualTo("mesh.tool.request/v1"));
            Assert.That(MessageHeaders.FirstMissing(values), Is.Null);
        });
    }

    [Test]
    public void Message_that_starts_a_chain_names_itself_as_its_cause()
    {
        var messageId = Guid.NewGuid();
        var values = MessageHeaders.Read(MessageHeaders.Create(MeshSchemas.ToolRequest, new PublishContext("acme", "turn-7"), messageId, TraceParentValue));

        Assert.That(values[MeshHeaders.CausationId], Is.EqualTo(messageId.ToString("D")));
    }

    [TestCase("", "turn-7")]
    [TestCase("acme", " ")]
    public void Headers_need_a_tenant_and_a_turn(string tenant, string correlation)
    {
        Assert.That(
            () => MessageHeaders.Create(MeshSchemas.ToolRequest, new PublishContext(tenant, correlation), Guid.NewGuid(), TraceParentValue),
            Throws.ArgumentException);
    }

    [Test]
    public void First_missing_names_an_absent_or_empty_required_header_and_ignores_traceparent()
    {
        var complete = MessageHeaders.Read(MessageHeaders.Create(MeshSchemas.ToolRequest, new PublishContext("acme", "t"), Guid.NewGuid(), TraceParentValue));
        var withoutTenant = complete.Where(p => p.Key != MeshHeaders.TenantId).ToDictionary();
        var emptySchema = complete.ToDictionary();
        emptySchema[MeshHeaders.Schema] = "";
        var withoutTrace = complete.Where(p => p.Key != MeshHeaders.TraceParent).ToDictionary();

        Assert.Multiple(() =>
        {
            Assert.That(MessageHeaders.FirstMissing(withoutTenant), Is.EqualTo(MeshHeaders.TenantId));
            Assert.That(MessageHeaders.FirstMissing(emptySchema), Is.EqualTo(MeshHeaders.Schema));
            Assert.That(MessageHeaders.FirstMissing(withoutTrace), Is.Null);
        });
    }

    [Test]
    public void Reading_headers_keeps_the_last_value_of_a_repeated_name()
    {
        var headers = new Headers
        {
            { "tenant-id", Encoding.UTF8.GetBytes("first") },
            { "tenant-id", Encoding.UTF8.GetBytes("second") },
        };

        Assert.That(MessageHeaders.Read(headers)["tenant-id"], Is.EqualTo("second"));
    }

    [Test]
    public void Follow_up_context_keeps_tenant_and_turn_and_names_the_message_as_cause()
    {
        var context = new MessageContext<string>
        {
            Message = "m", Key = "k", Headers = new Dictionary<string, string>(), Topic = "t", Partition = 0, Offset = 0,
            Timestamp = DateTimeOffset.UnixEpoch, GroupId = "g", Attempt = 1, MessageId = "m-1", CorrelationId = "turn-1",
            CausationId = "m-0", TenantId = "acme", SchemaId = MeshSchemas.ToolRequest,
        };

        Assert.That(context.FollowUp(), Is.EqualTo(new PublishContext("acme", "turn-1", "m-1")));
    }
}
