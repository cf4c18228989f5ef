using Mesh.Delegation.Options;
using Mesh.Observability.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation.Execution;

/// <summary>
/// Once the schema is up to date, resumes the unfinished executions (retrying while PostgreSQL is unreachable), then
/// checks deadlines (time budgets, task timeouts, retries) at a fixed interval.
/// </summary>
public sealed class ExecutionHost(
    ExecutionCoordinator coordinator, MigrationState migrations, IOptions<DelegationOptions> options, TimeProvider time, ILogger<ExecutionHost> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.DeadlineCheckInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (migrations.Pending is null)
            {
                try
                {
                    await coordinator.ResumeAsync(stoppingToken);
                    break;
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    Log.ResumeFailed(logger, e.Message);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, stoppingToken);
        }

        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            coordinator.CheckDeadlines();
        }
    }
}
