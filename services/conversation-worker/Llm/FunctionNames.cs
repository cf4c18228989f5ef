using System.Text.RegularExpressions;

namespace Mesh.ConversationWorker.Llm;

/// <summary>
/// OpenAI function names allow only <c>[A-Za-z0-9_-]</c> (at most 64), mesh tool names also dots, colons and
/// slashes: <c>math.evaluate</c> goes out as <c>math_evaluate</c> and comes back through the table of the tools offered.
/// </summary>
public sealed partial class FunctionNames
{
    private readonly Dictionary<string, string> toMesh = new(StringComparer.Ordinal);

    public FunctionNames(IEnumerable<string> meshNames)
    {
        ArgumentNullException.ThrowIfNull(meshNames);
        foreach (var name in meshNames)
        {
            toMesh.TryAdd(ToFunction(name), name);
        }
    }

    public static string ToFunction(string meshName)
    {
        ArgumentNullException.ThrowIfNull(meshName);
        var name = Unusable().Replace(meshName, "_");
        return name.Length <= 64 ? name : name[..64];
    }

    /// <summary>The mesh name of a function the model called; a name not offered comes back unchanged.</summary>
    public string ToMesh(string functionName) => toMesh.GetValueOrDefault(functionName, functionName);

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex Unusable();
}
