using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class AuthorizationErrorCodeTests
{
    [TestCase(AuthorizationErrorCode.ValidationError, 2000, "validation_error")]
    [TestCase(AuthorizationErrorCode.ResolutionTooComplex, 2002, "authorization_model_resolution_too_complex")]
    [TestCase(AuthorizationErrorCode.TypeNotFound, 2021, "type_not_found")]
    [TestCase(AuthorizationErrorCode.RelationNotFound, 2022, "relation_not_found")]
    [TestCase(AuthorizationErrorCode.InvalidTuple, 2027, "invalid_tuple")]
    [TestCase(AuthorizationErrorCode.InvalidAuthorizationModel, 2056, "invalid_authorization_model")]
    public void Error_code_carries_openfga_number_and_api_name(AuthorizationErrorCode code, int number, string name)
    {
        Assert.Multiple(() =>
        {
            Assert.That((int)code, Is.EqualTo(number));
            Assert.That(code.ApiName(), Is.EqualTo(name));
        });
    }
}
