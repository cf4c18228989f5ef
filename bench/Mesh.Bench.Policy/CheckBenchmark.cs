using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mesh.Infra.Postgres;
using Mesh.Policy.Domain;
using Mesh.Policy.Storage;
using Npgsql;

namespace Mesh.Bench.Policy;

/// <summary>
/// Measures <see cref="AuthorizationEvaluator.CheckAsync"/> over <see cref="PostgresTupleReader"/>, the path of
/// every embedded /v1/check, on one store holding the configured number of tuples (100k by default):
/// <list type="bullet">
/// <item><b>ttu3</b>: <c>project:P#viewer@user:U</c>, which resolves through three tuple-to-userset levels
/// (project → team → division → org) to a direct <c>org#member</c> tuple;</item>
/// <item><b>direct</b> (the baseline): <c>project:P#owner@user:U</c>, one direct tuple lookup.</item>
/// </list>
/// <b>Cold</b>: a new connection pool and a new model cache, and every check on a project not asked before.
/// <b>Warm</b>: the same checks again on the same pool. Latency is measured one check at a time;
/// throughput (warm) with several concurrent workers. Half the sampled checks are allowed.
/// </summary>
public sealed class CheckBenchmark(string connectionString, BenchmarkOptions options)
{
    private const string Model = """
        model
          schema 1.1
        type user
        type org
          relations
            define member: [user]
        type division
          relations
            define org: [org]
            define member: member from org
        type team
          relations
            define division: [division]
            define member: member from division
        type project
          relations
            define team: [team]
            define owner: [user]
            define viewer: member from team
        """;

    private const int Orgs = 50;
    private const int DivisionsPerOrg = 10;
    private const int TeamsPerDivision = 10;
    private const int MembersPerOrg = 200;
    private const int WriteChunk = 5_000;

    public async Task<string> RunAsync()
    {
        var load = Stopwatch.StartNew();
        var (storeId, layout) = await LoadAsync();
        load.Stop();

        var random = new Random(42);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Policy check benchmark: {layout.TupleCount:N0} tuples loaded in {load.Elapsed.TotalSeconds:0.0} s "
            + $"({layout.Projects:N0} projects, {Orgs * DivisionsPerOrg * TeamsPerDivision:N0} teams, {Orgs * MembersPerOrg:N0} org members), "
            + $"{options.Samples:N0} samples per pass, {options.Workers} workers for throughput");
        report.AppendLine("scenario  pass   p50 (ms)  p99 (ms)  mean (ms)  checks/s   allowed");
        var results = new Dictionary<string, Measurement>(StringComparer.Ordinal);
        foreach (var scenario in new[] { "direct", "ttu3" })
        {
            var samples = Sample(scenario, layout, random);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var evaluator = await EvaluatorAsync(dataSource, storeId);
            var cold = await MeasureSequentialAsync(evaluator, samples);
            var warm = await MeasureSequentialAsync(evaluator, samples);
            var throughput = await MeasureThroughputAsync(evaluator, samples);
            results[$"{scenario}/warm"] = warm;
            results[$"{scenario}/cold"] = cold;
            results[$"{scenario}/throughput"] = throughput;
            Row(report, scenario, "cold", cold);
            Row(report, scenario, "warm", warm);
            Row(report, scenario, $"warm x{options.Workers}", throughput);
        }

        report.AppendLine(CultureInfo.InvariantCulture,
            $"ratio ttu3/direct: p50 cold {Ratio(results, "cold", m => m.P50):0.0}x, p50 warm {Ratio(results, "warm", m => m.P50):0.0}x, "
            + $"p99 warm {Ratio(results, "warm", m => m.P99):0.0}x, throughput {results["direct/throughput"].PerSecond / results["ttu3/throughput"].PerSecond:0.0}x lower");
        return report.ToString();
    }

    private static double Ratio(Dictionary<string, Measurement> results, string pass, Func<Measurement, double> figure) =>
        figure(results[$"ttu3/{pass}"]) / figure(results[$"direct/{pass}"]);

    private static void Row(StringBuilder report, string scenario, string pass, Measurement m) =>
        report.AppendLine(CultureInfo.InvariantCulture,
            $"{scenario,-9} {pass,-6} {m.P50,9:0.000} {m.P99,9:0.000} {m.Mean,10:0.000} {m.PerSecond,9:N0} {m.AllowedShare,8:P0}");

    private async Task<(string StoreId, Layout Layout)> LoadAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator.ApplyAsync(dataSource, Migrator.FromAssembly(typeof(StoreRepository).Assembly, "policy"), CancellationToken.None);
        var store = await new StoreRepository(dataSource, TimeProvider.System).CreateAsync("bench", "check benchmark", CancellationToken.None);
        await new ModelRepository(dataSource, TimeProvider.System).WriteAsync(store.Id, DslParser.Parse(Model), CancellationToken.None);

        var tuples = new List<TupleKey>();
        for (var org = 0; org < Orgs; org++)
        {
            for (var member = 0; member < MembersPerOrg; member++)
            {
                tuples.Add(new TupleKey($"org:o{org}", "member", $"user:u{org}-{member}"));
            }

            for (var division = 0; division < DivisionsPerOrg; division++)
            {
                var divisionId = $"d{org}-{division}";
                tuples.Add(new TupleKey($"division:{divisionId}", "org", $"org:o{org}"));
                for (var team = 0; team < TeamsPerDivision; team++)
                {
                    tuples.Add(new TupleKey($"team:t{divisionId}-{team}", "division", $"division:{divisionId}"));
                }
            }
        }

        // The rest of the budget: projects, each on a team and with one direct owner (two tuples per project).
        var teams = Orgs * DivisionsPerOrg * TeamsPerDivision;
        var projects = Math.Max(1, (options.Tuples - tuples.Count) / 2);
        for (var project = 0; project < projects; project++)
        {
            var (org, division, team) = TeamOf(project, teams);
            tuples.Add(new TupleKey($"project:p{project}", "team", $"team:td{org}-{division}-{team}"));
            tuples.Add(new TupleKey($"project:p{project}", "owner", $"user:u{org}-{project % MembersPerOrg}"));
        }

        var repository = new TupleRepository(dataSource);
        foreach (var chunk in tuples.Chunk(WriteChunk))
        {
            await repository.WriteAsync(store.Id, chunk, [], ignoreDuplicates: false, ignoreMissing: false, CancellationToken.None);
        }

        await using (var analyze = dataSource.CreateCommand("ANALYZE policy_tuples"))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        return (store.Id, new Layout(tuples.Count, projects, teams));
    }

    private static (int Org, int Division, int Team) TeamOf(int project, int teams)
    {
        var team = project % teams;
        return (team / (DivisionsPerOrg * TeamsPerDivision), team / TeamsPerDivision % DivisionsPerOrg, team % TeamsPerDivision);
    }

    /// <summary>Distinct projects per scenario (so each cold pass touches projects nobody asked about); half allowed.</summary>
    private List<CheckRequest> Sample(string scenario, Layout layout, Random random)
    {
        var offset = scenario == "direct" ? 0 : layout.Projects / 2;
        var span = Math.Max(1, layout.Projects / 2);
        var checks = new List<CheckRequest>(options.Samples);
        for (var i = 0; i < options.Samples; i++)
        {
            var project = offset + random.Next(span);
            var (org, _, _) = TeamOf(project, layout.Teams);
            var allowed = i % 2 == 0;
            var user = scenario == "direct"
                ? allowed ? $"user:u{org}-{project % MembersPerOrg}" : $"user:u{org}-{(project + 1) % MembersPerOrg}"
                : allowed ? $"user:u{org}-{random.Next(MembersPerOrg)}" : $"user:u{(org + 1) % Orgs}-{random.Next(MembersPerOrg)}";
            checks.Add(new CheckRequest(new TupleKey($"project:p{project}", scenario == "direct" ? "owner" : "viewer", user)));
        }

        return checks;
    }

    private static async Task<AuthorizationEvaluator> EvaluatorAsync(NpgsqlDataSource dataSource, string storeId)
    {
        var model = await new ModelRepository(dataSource, TimeProvider.System).ResolveAsync(storeId, null, CancellationToken.None);
        return new AuthorizationEvaluator(model.TypeSystem, new TupleRepository(dataSource).Reader(storeId));
    }

    private static async Task<Measurement> MeasureSequentialAsync(AuthorizationEvaluator evaluator, List<CheckRequest> checks)
    {
        var latencies = new double[checks.Count];
        var allowed = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < checks.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            if ((await evaluator.CheckAsync(checks[i], CancellationToken.None)).Allowed)
            {
                allowed++;
            }

            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        total.Stop();
        Array.Sort(latencies);
        return new Measurement(
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Average(),
            checks.Count / total.Elapsed.TotalSeconds, (double)allowed / checks.Count);
    }

    private async Task<Measurement> MeasureThroughputAsync(AuthorizationEvaluator evaluator, List<CheckRequest> checks)
    {
        var deadline = Stopwatch.StartNew();
        var next = -1;
        var allowed = 0;
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        await Task.WhenAll(Enumerable.Range(0, options.Workers).Select(_ => Task.Run(async () =>
        {
            while (deadline.Elapsed < options.ThroughputWindow)
            {
                var check = checks[(Interlocked.Increment(ref next) & int.MaxValue) % checks.Count];
                var started = Stopwatch.GetTimestamp();
                if ((await evaluator.CheckAsync(check, CancellationToken.None)).Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        })));
        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        return new Measurement(
            Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted.Average(),
            sorted.Length / deadline.Elapsed.TotalSeconds, (double)allowed / sorted.Length);
    }

    private static double Percentile(double[] sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed record Layout(int TupleCount, int Projects, int Teams);

    private sealed record Measurement(double P50, double P99, double Mean, double PerSecond, double AllowedShare);
}
