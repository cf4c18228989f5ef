using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class ModelValidationTests
{
    [Test]
    public void Default_model_is_valid()
    {
        var typeSystem = DefaultAuthorizationModel.Create();

        Assert.Multiple(() =>
        {
            Assert.That(typeSystem.HasType("session"), Is.True);
            Assert.That(typeSystem.IsTuplesetRelation("session", "tenant"), Is.True);
            Assert.That(typeSystem.FindRelation("tool", "can_execute"), Is.Not.Null);
        });
    }

    [TestCase("define viewer: editor", "'doc#editor' is an undefined relation")]
    [TestCase("define viewer: [employee]", "'employee' is not defined")]
    [TestCase("define viewer: [user, group#admin]", "'group#admin' names an undefined relation")]
    [TestCase("define viewer: [doc#viewer]", "no entrypoints")]
    [TestCase("define viewer: [user] and blocked\n    define blocked: [doc#blocked]", "no entrypoints")]
    [TestCase("define viewer: [user] or editor\n    define editor: viewer", "cycle")]
    [TestCase("define viewer: viewer", "cannot be defined as itself")]
    [TestCase("define parent: [group] or owner\n    define owner: [user]\n    define viewer: member from parent", "must be a direct relation")]
    [TestCase("define parent: [group]\n    define viewer: owner from parent", "'owner' is not a relation of any type allowed")]
    [TestCase("define parent: [group, group#member]\n    define viewer: member from parent", "may only allow plain types")]
    [TestCase("define this: [user]", "reserved")]
    [TestCase("define viewer: [user with missing]", "condition 'missing' is not defined")]
    public void Invalid_relation_is_rejected_as_an_invalid_model(string definitions, string reason)
    {
        var model = DslParser.Parse($"""
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user]
            type doc
              relations
                {definitions}
            """);

        var error = Assert.Throws<AuthorizationException>(() => TypeSystem.Create(model));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.InvalidAuthorizationModel));
            Assert.That(error.Message, Does.Contain(reason));
        });
    }

    [Test]
    public void Duplicate_types_are_rejected()
    {
        var model = DslParser.Parse("model\n  schema 1.1\ntype user\ntype user\n");

        var error = Assert.Throws<AuthorizationException>(() => TypeSystem.Create(model));

        Assert.That(error!.Message, Does.Contain("duplicate types"));
    }

    [TestCase("1.0")]
    [TestCase("2.0")]
    public void Unsupported_schema_version_is_rejected(string version)
    {
        var model = DslParser.Parse($"model\n  schema {version}\ntype user\n");

        var error = Assert.Throws<AuthorizationException>(() => TypeSystem.Create(model));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.InvalidAuthorizationModel));
            Assert.That(error.Message, Does.Contain("invalid schema version"));
        });
    }

    [Test]
    public void Assignable_relation_without_user_types_is_rejected()
    {
        var model = new AuthorizationModel("1.1", [new TypeDefinition("doc", [new RelationDefinition("viewer", new DirectUserset(), [])])], []);

        var error = Assert.Throws<AuthorizationException>(() => TypeSystem.Create(model));

        Assert.That(error!.Message, Does.Contain("must allow at least one user type"));
    }
}
