using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Observability.Health;

/// <summary>One dependency that <c>/readyz</c> checks (kafka, redis, postgres, policy, ...).</summary>
public interface IReadinessCheck
{
    /// <summary>The dependency's name as <c>/readyz</c> reports it.</summary>
    string Name { get; }

    /// <summary>Throws (or returns a failure text) when the dependency cannot serve; returns null when it can.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}

/// <summary>A readiness check from a delegate.</summary>
public sealed class DelegateReadinessCheck(string name, Func<CancellationToken, Task<string?>> check) : IReadinessCheck
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public Task<string?> CheckAsync(CancellationToken cancellationToken) => check(cancellationToken);
}

/// <summary>The latest state of one dependency.</summary>
public sealed record DependencyState(string Name, bool Ready, string? Error, DateTimeOffset CheckedAt);

/// <summary>
/// Checks every dependency in the background on a fixed period and keeps the latest results, so
/// <c>/readyz</c> answers at once and a probe storm never reaches the dependencies. A failing dependency
/// is reported within one period plus one check timeout; recovery is noticed the same way, without a restart.
/// </summary>
public sealed class ReadinessMonitor : BackgroundService
{
    /// <summary>How often every dependency is checked.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(3);

    /// <summary>How long one check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(4);

    private readonly IReadinessCheck[] checks;
    private readonly ILogger<ReadinessMonitor> logger;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, DependencyState> states = new(StringComparer.Ordinal);
    private readonly Meter meter = new("Mesh.Readiness");

    /// <summary>Creates the monitor and its gauge <c>mesh_readiness_dependency_up{dependency}</c> (1 ready, 0 not).</summary>
    public ReadinessMonitor(IEnumerable<IReadinessCheck> checks, ILogger<ReadinessMonitor> logger, TimeProvider time)
    {
        this.checks = checks.ToArray();
        this.logger = logger;
        this.time = time;
        meter.CreateObservableGauge(
            "mesh.readiness.dependency.up",
            () => Snapshot().Select(s => new Measurement<int>(s.Ready ? 1 : 0, new KeyValuePair<string, object?>("dependency", s.Name))),
            description: "Whether a dependency passed its latest readiness check (1) or not (0).");
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        meter.Dispose();
        base.Dispose();
    }

    /// <summary>The latest state of every dependency; a dependency not yet checked counts as not ready.</summary>
    public IReadOnlyList<DependencyState> Snapshot() =>
        checks.Select(c => states.TryGetValue(c.Name, out var s) ? s : new DependencyState(c.Name, false, "not checked yet", time.GetUtcNow())).ToList();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            await Task.WhenAll(checks.Select(c => RunAsync(c, stoppingToken)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RunAsync(IReadinessCheck check, CancellationToken stoppingToken)
    {
        string? error;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(CheckTimeout);
            error = await check.CheckAsync(timeout.Token).WaitAsync(CheckTimeout, time, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (TimeoutException)
        {
            error = "timed out";
        }
        catch (Exception ex)
        {
            error = ex.GetType().Name + ": " + ex.Message;
        }
        var state = new DependencyState(check.Name, error is null, error, time.GetUtcNow());
        var previous = states.GetValueOrDefault(check.Name);
        states[check.Name] = state;
        if (previous is null || previous.Ready != state.Ready)
        {
            if (state.Ready)
            {
                logger.LogInformation("Dependency {Dependency} is ready", check.Name);
            }
            else
            {
                logger.LogWarning("Dependency {Dependency} is not ready: {Error}", check.Name, error);
            }
        }
    }
}

/// <summary>Registration helpers for readiness checks.</summary>
public static class ReadinessExtensions
{
    /// <summary>Adds a named readiness check.</summary>
    public static IServiceCollection AddReadinessCheck(this IServiceCollection services, string name, Func<IServiceProvider, CancellationToken, Task<string?>> check) =>
        services.AddSingleton<IReadinessCheck>(sp => new DelegateReadinessCheck(name, ct => check(sp, ct)));
}
