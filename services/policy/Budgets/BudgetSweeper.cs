using Mesh.Observability.Hosting;
using Mesh.Policy.Decisions;
using Mesh.Policy.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Policy.Budgets;

/// <summary>
/// Releases expired reservations on a short period (reservations also release expired ones themselves, so
/// this only keeps the counters honest while nobody reserves) and refreshes the budget gauges.
/// </summary>
public sealed class BudgetSweeper(
    BudgetService budgets,
    PolicyMetrics metrics,
    MigrationState migrations,
    IOptions<BudgetOptions> options,
    TimeProvider time,
    ILogger<BudgetSweeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan GaugePeriod = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        var gaugesDue = DateTimeOffset.MinValue;
        do
        {
            if (migrations.Pending is not null)
            {
                continue;
            }

            try
            {
                await budgets.SweepAsync(stoppingToken);
                if (time.GetUtcNow() >= gaugesDue)
                {
                    var figures = await budgets.TenantFiguresAsync(stoppingToken);
                    metrics.SetBudgets(figures.SelectMany(f => new[]
                    {
                        new BudgetGaugeValue(f.TenantId, "tokens", (double)f.Tokens.Used, (double?)f.Tokens.Limit),
                        new BudgetGaugeValue(f.TenantId, "cost", (double)f.Cost.Used, (double?)f.Cost.Limit),
                    }));
                    gaugesDue = time.GetUtcNow() + GaugePeriod;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or Npgsql.NpgsqlException or TimeoutException)
            {
                Log.BudgetSweepFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
