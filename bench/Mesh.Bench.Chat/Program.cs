using System.Globalization;
using Mesh.Bench.Chat;
using Mesh.Testing;

// Chat benchmark on the real stack (PostgreSQL, Redis, embedded Kafka, policy, tool executor, conversation worker,
// one gateway), offline model:
//   1. time to first delta and full-turn latency, one turn at a time (a plain reply, and a turn with a tool call),
//      in the steady state: after 150 warm-up turns (the first 20 are reported on their own);
//   2. one gateway holding N idle WebSockets (default 10,000): its memory before and after;
//   3. M active sessions (default 1,000) on top: events published on conversation.outbound at a steady rate,
//      delivery latency from the event's publication to its arrival at the client, and the gateway's memory;
//   4. the M active sessions each sending a real message at once: time to first delta and full turn under load.
var options = BenchOptions.Parse(args);
var (soft, hard) = FileLimit.Raise();
Console.WriteLine($"open-file limit: {soft} (hard {hard}); idle={options.Idle} active={options.Active} turns={options.Turns} rounds={options.Rounds} rate={options.Rate}/s");
if (soft < (ulong)(options.Idle + options.Active + 500))
{
    Console.Error.WriteLine($"error: {options.Idle + options.Active} connections need a larger open-file limit than {soft}; raise 'ulimit -Hn'.");
    return 2;
}

await using var stack = await MeshStack.StartAsync("policy", "tool-executor", "conversation-worker");
var gatewayEnvironment = new Dictionary<string, string>
{
    ["RateLimit__Enabled"] = "false",
    ["Chat__IdleTimeout"] = "01:00:00",
};
var gateway = await stack.StartServiceAsync("gateway", gatewayEnvironment);
await gateway.WaitForReadinessAsync(System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(90));
var bench = new ChatBench(stack, gateway);

var report = new List<string>();
void Report(string line)
{
    Console.WriteLine(line);
    report.Add(line);
}

Report("== 1. one turn at a time (offline model) ==");
foreach (var line in await bench.SequentialTurnsAsync(options.Turns))
{
    Report(line.ToString());
}

Report($"== 2. {options.Idle} idle WebSockets on one gateway ==");
var baseline = GatewayMemory.Of(gateway);
await using var idle = await bench.OpenIdleAsync(options.Idle);
var withIdle = GatewayMemory.Of(gateway);
Report(string.Create(CultureInfo.InvariantCulture,
    $"gateway RSS before {baseline.RssMiB:0} MiB, with {idle.Count} idle sockets {withIdle.RssMiB:0} MiB ({(withIdle.RssMiB - baseline.RssMiB) * 1024 / Math.Max(1, idle.Count):0.0} KiB per socket)"));

Report($"== 3. {options.Active} active sessions on top: live delivery ==");
var active = await bench.OpenActiveAsync(options.Active);
var delivery = await bench.DeliveryAsync(active, options.Rounds, options.Rate);
Report(delivery.ToString());
Report(string.Create(CultureInfo.InvariantCulture, $"gateway peak RSS {GatewayMemory.Of(gateway).PeakMiB:0} MiB with {idle.Count + active.Count} connections"));

Report($"== 4. {options.Active} other active sessions each sending a message at once ==");
await active.DisposeAsync();
// Fresh sessions: the delivery phase's synthetic events used seqs the worker will assign again.
await using var talking = await bench.OpenActiveAsync(options.Active);
foreach (var line in await bench.BurstTurnsAsync(talking))
{
    Report(line.ToString());
}
var end = GatewayMemory.Of(gateway);
Report(string.Create(CultureInfo.InvariantCulture, $"gateway RSS at the end {end.RssMiB:0} MiB, peak over the run {end.PeakMiB:0} MiB"));

if (options.Output is { } output)
{
    await File.WriteAllLinesAsync(output, report);
}
return 0;

/// <summary>The benchmark's knobs.</summary>
internal sealed record BenchOptions(int Idle, int Active, int Turns, int Rounds, int Rate, string? Output)
{
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(10_000, 1_000, 100, 20, 2_000, null);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--idle" => options with { Idle = int.Parse(value, CultureInfo.InvariantCulture) },
                "--active" => options with { Active = int.Parse(value, CultureInfo.InvariantCulture) },
                "--turns" => options with { Turns = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rounds" => options with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rate" => options with { Rate = int.Parse(value, CultureInfo.InvariantCulture) },
                "--out" => options with { Output = value },
                _ => throw new ArgumentException($"Unknown option {args[i]} (have --idle --active --turns --rounds --rate --out)."),
            };
        }
        return options;
    }
}
