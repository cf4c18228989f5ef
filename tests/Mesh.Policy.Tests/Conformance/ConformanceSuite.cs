using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>
/// OpenFGA's conformance suite (<c>consolidated_1_1_tests.yaml</c>), read from the shared folder next to the
/// repository (or <c>$MESH_SHARED_DIR</c>) at test time; it is never copied into the repository.
/// </summary>
public static class ConformanceSuite
{
    public const string FileName = "consolidated_1_1_tests.yaml";

    private static readonly Lazy<IReadOnlyList<ConformanceTest>> Tests = new(() => Load(Locate()));

    public static IReadOnlyList<ConformanceTest> All => Tests.Value;

    /// <summary>The position of <paramref name="test"/> in the suite file (names are not unique).</summary>
    public static int IndexOf(ConformanceTest test)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (ReferenceEquals(All[i], test))
            {
                return i;
            }
        }

        throw new ArgumentException($"'{test}' is not a test of the loaded suite", nameof(test));
    }

    public static string Locate()
    {
        var shared = Environment.GetEnvironmentVariable("MESH_SHARED_DIR");
        if (string.IsNullOrEmpty(shared))
        {
            var repository = new DirectoryInfo(AppContext.BaseDirectory);
            while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "Mesh.sln")))
            {
                repository = repository.Parent;
            }

            if (repository is null)
            {
                throw new DirectoryNotFoundException($"no directory above {AppContext.BaseDirectory} contains Mesh.sln; set MESH_SHARED_DIR");
            }

            shared = Path.Combine(repository.FullName, "..", "shared");
        }

        var path = Path.GetFullPath(Path.Combine(shared, "conformance", "openfga", FileName));
        return File.Exists(path) ? path : throw new FileNotFoundException($"OpenFGA's conformance suite is not at {path}", path);
    }

    public static IReadOnlyList<ConformanceTest> Load(string path)
    {
        // Unknown fields are ignored as OpenFGA's own loader ignores them (one case nests 'expectation' under 'request').
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .IgnoreUnmatchedProperties()
            .Build();
        var suite = deserializer.Deserialize<SuiteFile>(File.ReadAllText(path));
        return suite.Tests;
    }

    public sealed class SuiteFile
    {
        public List<ConformanceTest> Tests { get; set => field = value ?? []; } = [];
    }
}

public sealed class ConformanceTest
{
    public string Name { get; set; } = string.Empty;

    public List<ConformanceStage> Stages { get; set => field = value ?? []; } = [];

    /// <summary>Conditions (CEL) are parsed but not evaluated here, so cases that use them are skipped by design.</summary>
    public bool UsesConditions => Stages.Any(stage =>
        ModelUsesConditions(stage.Model)
        || stage.Tuples.Any(t => t.Condition is not null)
        || stage.CheckAssertions.Any(a => a.Context is not null || a.ContextualTuples.Any(t => t.Condition is not null))
        || stage.ListObjectsAssertions.Any(a => a.Context is not null || a.ContextualTuples.Any(t => t.Condition is not null))
        || stage.ListUsersAssertions.Any(a => a.Context is not null || a.ContextualTuples.Any(t => t.Condition is not null)));

    private static bool ModelUsesConditions(string dsl)
    {
        try
        {
            var model = Domain.DslParser.Parse(dsl);
            return model.Conditions.Count > 0
                || model.TypeDefinitions.SelectMany(t => t.Relations).SelectMany(r => r.DirectlyRelatedUserTypes).Any(r => r.Condition is not null);
        }
        catch (Domain.DslSyntaxException)
        {
            // The runner reports the syntax error as the case's failure.
            return false;
        }
    }

    public override string ToString() => Name;
}

public sealed class ConformanceStage
{
    public string Model { get; set; } = string.Empty;

    public List<YamlTuple> Tuples { get; set => field = value ?? []; } = [];

    public List<CheckAssertion> CheckAssertions { get; set => field = value ?? []; } = [];

    public List<ListObjectsAssertion> ListObjectsAssertions { get; set => field = value ?? []; } = [];

    public List<ListUsersAssertion> ListUsersAssertions { get; set => field = value ?? []; } = [];
}

public sealed class YamlTuple
{
    [YamlMember(Alias = "object")]
    public string ObjectName { get; set; } = string.Empty;

    public string Relation { get; set; } = string.Empty;

    public string User { get; set; } = string.Empty;

    public Dictionary<string, object>? Condition { get; set; }

    public Domain.TupleKey ToKey() => new(ObjectName, Relation, User);
}

public sealed class CheckAssertion
{
    public YamlTuple Tuple { get; set; } = new();

    public bool Expectation { get; set; }

    public int ErrorCode { get; set; }

    public List<YamlTuple> ContextualTuples { get; set => field = value ?? []; } = [];

    public Dictionary<string, object>? Context { get; set; }
}

public sealed class ListObjectsAssertion
{
    public ListObjectsQuery Request { get; set; } = new();

    public List<string>? Expectation { get; set; }

    public int ErrorCode { get; set; }

    public List<YamlTuple> ContextualTuples { get; set => field = value ?? []; } = [];

    public Dictionary<string, object>? Context { get; set; }
}

public sealed class ListObjectsQuery
{
    public string User { get; set; } = string.Empty;

    public string Type { get; set; } = string.Empty;

    public string Relation { get; set; } = string.Empty;
}

public sealed class ListUsersAssertion
{
    public ListUsersQuery Request { get; set; } = new();

    public List<string>? Expectation { get; set; }

    public int ErrorCode { get; set; }

    public List<YamlTuple> ContextualTuples { get; set => field = value ?? []; } = [];

    public Dictionary<string, object>? Context { get; set; }
}

public sealed class ListUsersQuery
{
    public List<string> Filters { get; set => field = value ?? []; } = [];

    [YamlMember(Alias = "object")]
    public string ObjectName { get; set; } = string.Empty;

    public string Relation { get; set; } = string.Empty;
}
