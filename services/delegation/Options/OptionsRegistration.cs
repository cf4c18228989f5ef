using Mesh.Infra.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation.Options;

/// <summary>Binds and validates the delegation service's options; the flat environment names override sections.</summary>
public static class OptionsRegistration
{
    public static IServiceCollection AddDelegationOptions(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        Add<DelegationOptions>(services, o => o.Validate()).Bind(configuration.GetSection(DelegationOptions.SectionName));
        Add<RomaOptions>(services, o => o.Validate())
            .Bind(configuration.GetSection(RomaOptions.SectionName))
            .PostConfigure(o =>
            {
                o.Url = configuration["DELEGATION_ROMA_URL"] ?? o.Url;
                o.Key = configuration["DELEGATION_ROMA_KEY"] ?? o.Key;
                if (configuration["DELEGATION_ROMA_PROFILES"] is { } profiles)
                {
                    o.Profiles = [.. profiles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                }
            });
        Add<SigningOptions>(services, o => o.Validate()).PostConfigure(o =>
        {
            o.KeyPem = configuration["DELEGATION_SIGNING_KEY"];
            o.KeyFile = configuration["DELEGATION_SIGNING_KEY_FILE"];
            o.GenerateIfMissing = environment.IsDevelopment();
            if (string.IsNullOrWhiteSpace(o.KeyPem) && string.IsNullOrWhiteSpace(o.KeyFile) && environment.IsDevelopment())
            {
                o.KeyFile = Path.Combine(environment.ContentRootPath, SigningOptions.DevelopmentKeyFile);
            }
        });
        Add<LlmOptions>(services, o => o.Validate()).PostConfigure(o =>
        {
            o.BaseUrl = configuration["LLM_BASE_URL"];
            o.ApiKey = configuration["LLM_API_KEY"];
            o.Model = configuration["LLM_MODEL"] is { Length: > 0 } model ? model : o.Model;
        });
        return services;
    }

    private static OptionsBuilder<T> Add<T>(IServiceCollection services, Func<T, string?> validate)
        where T : class =>
        services.AddOptions<T>().ValidateOnStart(validate);
}
