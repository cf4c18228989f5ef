using Mesh.ConversationWorker.Storage;

namespace Mesh.ConversationWorker.Turns;

/// <summary>
/// Arms the deadlines of every turn waiting for tool results when the process starts, once: a worker that died
/// with calls outstanding leaves their deadlines to whoever starts next. The owner re-arms on every message too.
/// </summary>
public sealed class DeadlineRecovery(TurnStore turns, ToolDeadlines deadlines, SchemaGate schema, ILogger<DeadlineRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitAsync(stoppingToken);
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var waiting = await turns.WaitingAsync(stoppingToken);
                foreach (var turn in waiting)
                {
                    deadlines.Arm(turn);
                }

                Log.DeadlinesArmed(logger, waiting.Count);
                return;
            }
            catch (Npgsql.NpgsqlException e)
            {
                Log.DeadlinesNotArmed(logger, e.Message, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
