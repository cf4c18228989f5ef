namespace Mesh.Cli.Chat;

/// <summary>What <c>mesh chat</c> was asked to do.</summary>
internal sealed record ChatSettings(Uri Gateway, string? Key, Guid? Session);

/// <summary>Where the API key comes from when <c>--key</c> is not given.</summary>
internal static class KeySource
{
    public const string Variable = "MESH_API_KEY";

    /// <summary>The option, else <c>MESH_API_KEY</c>, else <c>.mesh/dev-api-key</c> in <paramref name="directory"/> or a parent.</summary>
    public static string? Find(string? option, string? environment, string directory)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return option.Trim();
        }
        if (!string.IsNullOrWhiteSpace(environment))
        {
            return environment.Trim();
        }
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, ".mesh", "dev-api-key");
            if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } key)
            {
                return key;
            }
        }
        return null;
    }
}
