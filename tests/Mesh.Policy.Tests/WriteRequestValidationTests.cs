using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class WriteRequestValidationTests
{
    private static readonly TypeSystem Model = DefaultAuthorizationModel.Create();

    [Test]
    public void Write_request_within_the_model_and_the_limit_is_accepted() =>
        Assert.DoesNotThrow(() => TupleValidator.ValidateWriteRequest(
            Model, [new TupleKey("tool:echo", "executor", "tenant:dev#member")], [new TupleKey("tool:echo", "executor", "user:old")], 2));

    [Test]
    public void More_tuples_than_the_limit_are_refused_with_exceeded_entity_limit()
    {
        var writes = Enumerable.Range(0, 3).Select(i => new TupleKey($"tool:t{i}", "executor", "user:anne")).ToList();
        var error = Assert.Throws<AuthorizationException>(() => TupleValidator.ValidateWriteRequest(Model, writes, [], 2));
        Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.ExceededEntityLimit));
    }

    [Test]
    public void Same_tuple_written_and_deleted_in_one_request_is_a_duplicate()
    {
        var tuple = new TupleKey("tool:echo", "executor", "user:anne");
        var error = Assert.Throws<AuthorizationException>(() => TupleValidator.ValidateWriteRequest(Model, [tuple], [tuple], 10));
        Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.DuplicateTupleInWrite));
    }

    [Test]
    public void Malformed_delete_is_a_validation_error_but_one_the_model_no_longer_allows_is_not()
    {
        var malformed = Assert.Throws<AuthorizationException>(() =>
            TupleValidator.ValidateWriteRequest(Model, [], [new TupleKey("tool echo", "executor", "user:anne")], 10));
        Assert.Multiple(() =>
        {
            Assert.That(malformed!.Code, Is.EqualTo(AuthorizationErrorCode.ValidationError));
            Assert.DoesNotThrow(() => TupleValidator.ValidateWriteRequest(Model, [], [new TupleKey("folder:1", "viewer", "user:anne")], 10));
        });
    }
}
