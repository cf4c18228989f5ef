using Microsoft.Extensions.Configuration;

namespace Mesh.Policy.Options;

/// <summary>
/// The development seed (<c>MESH_DEV_BOOTSTRAP=1</c>): the dev tenant (<c>MESH_DEV_TENANT</c>) gets a store with the
/// default model, and its actor (<c>MESH_DEV_ACTOR</c>) membership and the built-in tools.
/// </summary>
public sealed class DevBootstrapOptions
{
    public bool Enabled { get; set; }

    public string Tenant { get; set; } = "dev";

    public string Actor { get; set; } = "dev-user";

    /// <summary>The tools every member of the dev tenant may execute.</summary>
    public static IReadOnlyList<string> BuiltInTools { get; } =
    [
        "echo", "clock.now", "math.evaluate", "http.fetch", "memory.save",
        "memory.search", "memory.forget", "kv.get", "kv.set", "delegate",
    ];

    public static void Bind(DevBootstrapOptions options, IConfiguration configuration)
    {
        options.Enabled = configuration["MESH_DEV_BOOTSTRAP"] is "1" or "true";
        options.Tenant = configuration["MESH_DEV_TENANT"] is { Length: > 0 } tenant ? tenant : options.Tenant;
        options.Actor = configuration["MESH_DEV_ACTOR"] is { Length: > 0 } actor ? actor : options.Actor;
    }
}
