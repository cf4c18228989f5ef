using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using Mesh.Bench.ToolExecutor;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.Infra.Kafka;
using Mesh.Infra.Messaging;
using Mesh.Infra.Redis;
using Mesh.Testing;
using Mesh.ToolExecutor.Execution;
using Npgsql;

// Usage: Mesh.Bench.ToolExecutor [--round-trips N] [--burst N] [--rounds N]
// Starts its own stack (PostgreSQL, Redis, embedded Kafka, policy, tool executors) and stops it at the end.
var settings = args.Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
var roundTrips = settings.GetValueOrDefault("--round-trips", 1000);
var burstSize = settings.GetValueOrDefault("--burst", 5000);
var rounds = settings.GetValueOrDefault("--rounds", 2);
var inv = CultureInfo.InvariantCulture;

Console.WriteLine("starting the stack (PostgreSQL, Redis, embedded Kafka, policy, one tool executor)...");
await using var stack = await MeshStack.StartAsync("policy");
var bootstrap = stack.Kafka.BootstrapServers;
var ping = await stack.Kafka.CreateUniqueTopicAsync("bench.ping", 6);
var pong = await stack.Kafka.CreateUniqueTopicAsync("bench.pong", 6);
var first = await StartExecutorAsync("bench-1");
var firstReady = first.Log.Length;
var executors = new List<ServiceProcess> { first };
var stackCpu = new StackCpu(
[
    ("executors", () => executors.Select(e => e.ProcessId)),
    ("embedded Kafka", () => StackCpu.Children(Environment.ProcessId, "Mesh.KafkaHost")),
    ("PostgreSQL", () => StackCpu.Postgres(stack.Postgres.Port)),
    ("Redis", () => StackCpu.Children(Environment.ProcessId, "redis-server")),
    ("policy", () => [stack.Services["policy"].ProcessId]),
    ("bench client", () => [Environment.ProcessId]),
]);

KafkaNative.EnsureLoaded();
var arrivals = new Arrivals();
using var producer = new ProducerBuilder<byte[]?, byte[]>(KafkaClientConfig.Producer(bootstrap, "bench-client")).Build();
using var relay = new Relay(bootstrap, ping, pong);
using var pongs = new Receiver(bootstrap, pong, arrivals);
using var results = new Receiver(bootstrap, MeshTopics.ToolResults, arrivals);
await Task.WhenAll(pongs.Assigned.Task, results.Assigned.Task).WaitAsync(TimeSpan.FromSeconds(60));

Console.WriteLine("warming up...");
await Throughput(raw: true, 500);
await Throughput(raw: false, 500);
for (var i = 0; i < 100; i++)
{
    await RoundTrip(raw: true);
    await RoundTrip(raw: false);
}

// The runtime compiles the warmed-up code again, optimized, for a few seconds after the warm-up: not idle cost.
await Task.Delay(TimeSpan.FromSeconds(5));
var idleBefore = StackCpu.Milliseconds(first.ProcessId);
await Task.Delay(TimeSpan.FromSeconds(10));
var idleCpu = (StackCpu.Milliseconds(first.ProcessId) - idleBefore) / 10_000;
var (raw1, exec1) = await LatenciesAsync(roundTrips);
var rawRates = new List<double>();
var oneRates = new List<double>();
var oneCpu = new List<Dictionary<string, double>>();
for (var r = 0; r < rounds; r++)
{
    rawRates.Add(await Throughput(raw: true, burstSize));
    oneRates.Add(await ExecutorThroughputAsync(oneCpu));
}
var handlerOne = await ScrapeAsync(first);

Console.WriteLine("starting a second executor and waiting for the group to rebalance...");
var second = await StartExecutorAsync("bench-2");
var secondReady = second.Log.Length;
executors.Add(second);
var deadline = DateTime.UtcNow.AddSeconds(90);
while (!second.Log.Contains("assigned tool.requests[", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
{
    await Task.Delay(200);
}
await Throughput(raw: false, 500);
var (raw2, exec2) = await LatenciesAsync(roundTrips / 2);
var twoRates = new List<double>();
var twoCpu = new List<Dictionary<string, double>>();
for (var r = 0; r < rounds; r++)
{
    rawRates.Add(await Throughput(raw: true, burstSize));
    twoRates.Add(await ExecutorThroughputAsync(twoCpu));
}

var stages = await StagesAsync(500);
var cpu = await CpuCosts.MeasureAsync();

Console.WriteLine();
Console.WriteLine("== tool executor: echo round trip (request published -> result consumed), embedded Kafka, 2 cores ==");
Console.WriteLine($"latency, 1 executor : p50 {P(exec1, 50):0.00} ms  p99 {P(exec1, 99):0.00} ms   raw two-hop p50 {P(raw1, 50):0.00} ms  p99 {P(raw1, 99):0.00} ms   ratio p50 {P(exec1, 50) / P(raw1, 50):0.00}x  p99 {P(exec1, 99) / P(raw1, 99):0.00}x  (n={roundTrips})");
Console.WriteLine($"latency, 2 executors: p50 {P(exec2, 50):0.00} ms  p99 {P(exec2, 99):0.00} ms   raw two-hop p50 {P(raw2, 50):0.00} ms  p99 {P(raw2, 99):0.00} ms   ratio p50 {P(exec2, 50) / P(raw2, 50):0.00}x  (n={roundTrips / 2})");
Console.WriteLine($"throughput ({burstSize} calls per burst, best of {rounds}): raw two-hop {rawRates.Max():0}/s   1 executor {oneRates.Max():0}/s ({oneRates.Max() / rawRates.Max():0.00}x)   2 executors {twoRates.Max():0}/s ({twoRates.Max() / rawRates.Max():0.00}x)");
Console.WriteLine($"  all rounds: raw [{string.Join(", ", rawRates.Select(r => r.ToString("0", inv)))}]  1 executor [{string.Join(", ", oneRates.Select(r => r.ToString("0", inv)))}]  2 executors [{string.Join(", ", twoRates.Select(r => r.ToString("0", inv)))}]");
Console.WriteLine($"inside the executor (1 executor phase): handler {handlerOne.Handler * 1000:0.00} ms per request on average, of which the tool ran {handlerOne.Tool * 1000:0.000} ms; executor CPU {oneCpu.Min(c => c["executors"]):0.00} ms per call; idle, the executor uses {idleCpu:P0} of a core");
Console.WriteLine($"CPU per call in the executor bursts (ms, mean of the rounds; 2 cores give 2000 ms per second to share):");
foreach (var (phase, costs) in new[] { ("1 executor ", oneCpu), ("2 executors", twoCpu) })
{
    var parts = costs[0].Keys.Select(k => $"{k} {costs.Average(c => c[k]):0.00}");
    Console.WriteLine($"  {phase}: {string.Join(", ", parts)}; total {costs.Average(c => c.Values.Sum()):0.00}");
}
Console.WriteLine($"machine load average while measuring: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} (2 cores)");
Console.WriteLine($"warnings and errors the executors logged once ready (a healthy run has none): bench-1 {Problems(first, firstReady)}; bench-2 {Problems(second, secondReady)}");
Console.WriteLine("stage costs, measured alone against the same servers (sequential, p50 / mean):");
foreach (var (name, samples) in stages)
{
    Console.WriteLine($"  {name,-44} {P(samples, 50):0.00} / {samples.Average():0.00} ms");
}
Console.WriteLine("CPU of the pieces of one call, each timed alone in this process:");
foreach (var (name, microseconds) in cpu)
{
    Console.WriteLine($"  {name,-44} {microseconds:0} us");
}
return 0;

async Task<ServiceProcess> StartExecutorAsync(string id)
{
    var env = new Dictionary<string, string> { ["Executor__Id"] = id, ["Logging__LogLevel__Default"] = "Warning", ["Logging__LogLevel__Mesh.Infra.Messaging"] = "Information" };
    var executor = await stack.StartServiceAsync("tool-executor", env, id);
    await executor.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(90));
    return executor;
}

// An executor burst, with the CPU each part of the stack spent on it per call.
async Task<double> ExecutorThroughputAsync(List<Dictionary<string, double>> costs)
{
    var before = stackCpu.Read();
    var rate = await Throughput(raw: false, burstSize);
    var after = stackCpu.Read();
    costs.Add(after.ToDictionary(p => p.Key, p => (p.Value - before[p.Key]) / burstSize));
    return rate;
}

async Task<double> RoundTrip(bool raw)
{
    var message = Wire.EchoRequest(Guid.NewGuid(), out var correlation);
    var answered = arrivals.Expect(correlation);
    var clock = Stopwatch.StartNew();
    var sent = producer.ProduceAsync(raw ? ping : MeshTopics.ToolRequests, message);
    await answered.WaitAsync(TimeSpan.FromSeconds(30));
    var elapsed = clock.Elapsed.TotalMilliseconds;
    await sent;
    return elapsed;
}

// Blocks of 50 in turns, so that load from elsewhere on the machine hits both alike.
async Task<(List<double> Raw, List<double> Executor)> LatenciesAsync(int n)
{
    var rawSamples = new List<double>();
    var executorSamples = new List<double>();
    for (var done = 0; done < n; done += 50)
    {
        for (var i = 0; i < 50; i++)
        {
            rawSamples.Add(await RoundTrip(raw: true));
        }
        for (var i = 0; i < 50; i++)
        {
            executorSamples.Add(await RoundTrip(raw: false));
        }
    }
    return (rawSamples, executorSamples);
}

// n calls from n sessions, all published at once; timed until the last answer arrived.
async Task<double> Throughput(bool raw, int n)
{
    var messages = new List<Message<byte[]?, byte[]>>(n);
    var correlations = new List<string>(n);
    for (var i = 0; i < n; i++)
    {
        messages.Add(Wire.EchoRequest(Guid.NewGuid(), out var correlation));
        correlations.Add(correlation);
    }
    var done = arrivals.ExpectBurst(correlations);
    var clock = Stopwatch.StartNew();
    var sends = messages.Select(m => producer.ProduceAsync(raw ? ping : MeshTopics.ToolRequests, m)).ToList();
    await Task.WhenAll(sends);
    await done.WaitAsync(TimeSpan.FromMinutes(5));
    return n / clock.Elapsed.TotalSeconds;
}

async Task<(double Handler, double Tool)> ScrapeAsync(ServiceProcess executor)
{
    var text = await executor.Http.GetStringAsync("/metrics");
    double Sum(string prefix) => text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], inv));
    return (Sum("mesh_messaging_handler_duration_seconds_sum{") / Math.Max(1, Sum("mesh_messaging_handler_duration_seconds_count{")),
        Sum("mesh_tool_execution_seconds_sum{") / Math.Max(1, Sum("mesh_tool_execution_seconds_count{")));
}

async Task<List<(string Name, List<double> Samples)>> StagesAsync(int n)
{
    await using var database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
    using var redis = new RedisConnection(stack.Redis.Configuration);
    using var publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = bootstrap, ClientId = "bench-stages" });
    await using var store = new InvocationStore(database);
    var leases = new InvocationLeases(redis);
    using var http = stack.Client("policy", stack.ServiceKey);
    var lease = new List<double>();
    var claim = new List<double>();
    var finish = new List<double>();
    var publish = new List<double>();
    var policy = new List<double>();
    for (var i = 0; i < n; i++)
    {
        var session = Guid.NewGuid();
        var request = new ToolRequest(Guid.NewGuid(), session, Guid.NewGuid(), 0, "dev", "dev-user", "echo",
            JsonSerializer.SerializeToElement(new { text = "benchmark" }), DateTimeOffset.UtcNow);
        var result = new ToolResult(request.RequestId, session, request.TurnId, 0, "dev", "echo", ToolResultStatus.Succeeded, false, false, 1, "bench",
            DateTimeOffset.UtcNow, JsonSerializer.SerializeToElement(new { text = "benchmark" }), PolicyDecisionId: Guid.NewGuid());
        lease.Add(await Time(async () =>
        {
            await leases.TryAcquireAsync(request.RequestId, "bench", TimeSpan.FromSeconds(30));
            await leases.ReleaseAsync(request.RequestId, "bench");
        }));
        claim.Add(await Time(() => store.ClaimAsync(request, "bench", CancellationToken.None)));
        finish.Add(await Time(() => store.FinishAsync(request, result, new AuditEntry(null, "dev-user", new string('0', 64)), CancellationToken.None)));
        publish.Add(await Time(() => publisher.PublishAsync(MeshTopics.ToolResults, session.ToString("D"), result, new PublishContext("dev", "bench"))));
        policy.Add(await Time(async () =>
        {
            using var response = await http.PostAsync("/v1/check", JsonContent("""{"tenant_id":"dev","user":"user:dev-user","relation":"can_execute","object":"tool:echo"}"""));
            response.EnsureSuccessStatusCode();
        }));
    }
    return [
        ("Redis lease SET NX PX + release", lease),
        ("PostgreSQL claim (insert invocation)", claim),
        ("PostgreSQL finish (record result + audit)", finish),
        ("Kafka publish of the result (acks=all, awaited)", publish),
        ("policy /v1/check, uncached (cached in executor)", policy),
    ];
}

static async Task<double> Time(Func<Task> action)
{
    var clock = Stopwatch.StartNew();
    await action();
    return clock.Elapsed.TotalMilliseconds;
}

static string Problems(ServiceProcess executor, int since)
{
    var lines = executor.Log[since..].Split('\n').Where(l => l.Contains("\"level\":\"warn\"", StringComparison.Ordinal)
        || l.Contains("\"level\":\"error\"", StringComparison.Ordinal) || l.Contains("\"level\":\"fatal\"", StringComparison.Ordinal)).ToList();
    return lines.Count == 0 ? "none" : $"{lines.Count}, the first: {lines[0][..Math.Min(lines[0].Length, 400)]}";
}

static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

static double P(List<double> samples, int percentile)
{
    var sorted = samples.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
