using Microsoft.Extensions.Options;

namespace Mesh.Delegation.Options;

/// <summary>Validates options with their own <c>Validate()</c>, which returns the problem or null.</summary>
public sealed class SelfValidation<T>(Func<T, string?> validate) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
