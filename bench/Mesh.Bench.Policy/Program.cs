using Mesh.Bench.Policy;

// Check latency of the embedded evaluator over PostgreSQL: a three-level tuple-to-userset check against a
// direct-relation baseline on the same 100k-tuple store, cold and warm. See CheckBenchmark for the definitions.
var options = BenchmarkOptions.FromEnvironment();
await using var database = await BenchmarkDatabase.OpenAsync();
var report = await new CheckBenchmark(database.ConnectionString, options).RunAsync();
Console.WriteLine(report);
