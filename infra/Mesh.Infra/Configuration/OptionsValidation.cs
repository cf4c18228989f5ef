using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mesh.Infra.Configuration;

/// <summary>Options that check themselves: a <c>Validate()</c> that returns the problem, or null when they are fine.</summary>
public static class OptionsValidation
{
    /// <summary>
    /// Validates the options with <paramref name="validate"/> when the service starts, so a misconfigured service
    /// stops at once with the problem instead of failing at first use.
    /// </summary>
    public static OptionsBuilder<T> ValidateOnStart<T>(this OptionsBuilder<T> builder, Func<T, string?> validate)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IValidateOptions<T>>(new Validator<T>(validate));
        return builder.ValidateOnStart();
    }

    private sealed class Validator<T>(Func<T, string?> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            validate(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
