namespace Mesh.Testing;

/// <summary>Where the repository and the shared folder beside it are, seen from a test binary.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mesh.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Mesh.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (the folder holding Mesh.sln).</summary>
    public static string Root => RootPath.Value;

    /// <summary>The shared folder: <c>MESH_SHARED_DIR</c>, or <c>../shared</c> beside the repository.</summary>
    public static string Shared => Environment.GetEnvironmentVariable("MESH_SHARED_DIR") is { Length: > 0 } dir
        ? dir
        : Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>The build configuration the tests were built with (the services are built alike).</summary>
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>A path below the repository root.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
