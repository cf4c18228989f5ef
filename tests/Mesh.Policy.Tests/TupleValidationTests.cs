using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class TupleValidationTests
{
    private static readonly TypeSystem Model = DefaultAuthorizationModel.Create();

    [Test]
    public void Tuples_that_fit_the_model_may_be_written()
    {
        Assert.DoesNotThrow(() => TupleValidator.ValidateWrites(Model, [
            new TupleKey("tenant:acme", "admin", "user:anne"),
            new TupleKey("tool:search", "executor", "tenant:acme#member"),
            new TupleKey("session:s1", "tenant", "tenant:acme"),
        ]));
    }

    [TestCase("tenant:acme", "admin", "tenant:other", "'tenant' is not an allowed type restriction")]
    [TestCase("tenant:acme", "admin", "user:*", "'user:*' is not an allowed type restriction")]
    [TestCase("tenant:acme", "owner", "user:anne", "relation 'tenant#owner' not found")]
    [TestCase("project:p1", "admin", "user:anne", "type 'project' not found")]
    [TestCase("tenant", "admin", "user:anne", "invalid 'object' field format")]
    [TestCase("tenant:*", "admin", "user:anne", "cannot reference a typed wildcard")]
    [TestCase("tenant:acme", "admin", "a:b:c", "the 'user' field must be an object")]
    [TestCase("tool:search", "executor", "tenant:acme#owner", "relation 'tenant#owner' not found")]
    [TestCase("session:s1", "tenant", "tenant:acme#member", "tupleset relation")]
    [TestCase("tenant:acme", "member", "tenant:acme#member", "implicit")]
    public void Tuple_the_model_does_not_allow_is_a_validation_error_on_write(string objectName, string relation, string user, string reason)
    {
        var error = Assert.Throws<AuthorizationException>(() => TupleValidator.ValidateWrites(Model, [new TupleKey(objectName, relation, user)]));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.ValidationError));
            Assert.That(error.Message, Does.Contain(reason));
        });
    }

    [Test]
    public void Same_tuple_twice_in_one_write_is_rejected()
    {
        var tuple = new TupleKey("tenant:acme", "admin", "user:anne");

        var error = Assert.Throws<AuthorizationException>(() => TupleValidator.ValidateWrites(Model, [tuple, tuple]));

        Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.DuplicateTupleInWrite));
    }

    [Test]
    public void Contextual_tuple_the_model_does_not_allow_is_an_invalid_tuple()
    {
        var error = Assert.Throws<AuthorizationException>(() =>
            TupleValidator.ValidateContextualTuples(Model, [new TupleKey("tenant:acme", "admin", "tenant:other")]));

        Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.InvalidTuple));
    }

    [Test]
    public void Tuple_on_a_relation_that_requires_a_condition_is_refused_with_a_clear_reason()
    {
        var model = TypeSystem.Create(DslParser.Parse("""
            model
              schema 1.1
            type user
            type doc
              relations
                define viewer: [user with in_region]
            condition in_region(region: string) {
              region == "eu"
            }
            """));

        var reason = TupleValidator.FindWriteError(model, new TupleKey("doc:1", "viewer", "user:anne"));

        Assert.That(reason, Does.Contain("conditional relationship tuples are not supported"));
    }
}
