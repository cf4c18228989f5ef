using System.Diagnostics.Metrics;
using Mesh.ConversationWorker.Domain;

namespace Mesh.ConversationWorker.Turns;

/// <summary>The instruments of the meter <c>Mesh.ConversationWorker</c>, exported by the service defaults.</summary>
public static class ConversationMetrics
{
    public const string MeterName = "Mesh.ConversationWorker";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> TurnDuration = Meter.CreateHistogram(
        "mesh.conversation.turn.duration", "s", "From a turn's start to its end, by outcome.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });

    private static readonly Histogram<double> TimeToFirstDelta = Meter.CreateHistogram(
        "mesh.conversation.time_to_first_delta", "s", "From a turn's start to its first assistant.delta.", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    private static readonly Counter<long> Tokens = Meter.CreateCounter<long>(
        "mesh.llm.tokens", "{token}", "Model tokens, by direction (input, output) and model.");

    private static readonly Histogram<int> ToolCallsPerTurn = Meter.CreateHistogram(
        "mesh.conversation.turn.tool_calls", "{call}", "Tool calls a turn made.", tags: null,
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [0, 1, 2, 3, 5, 8, 13, 21] });

    private static readonly Counter<long> Turns = Meter.CreateCounter<long>(
        "mesh.conversation.turns", "{turn}", "Turns that ended, by outcome (completed, cancelled, or the error code).");

    public static void FirstDelta(TimeSpan sinceStart) => TimeToFirstDelta.Record(Math.Max(0, sinceStart.TotalSeconds));

    public static void ModelTokens(string model, int input, int output)
    {
        Tokens.Add(input, new KeyValuePair<string, object?>("direction", "input"), new KeyValuePair<string, object?>("model", model));
        Tokens.Add(output, new KeyValuePair<string, object?>("direction", "output"), new KeyValuePair<string, object?>("model", model));
    }

    public static void TurnEnded(Turn turn)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var outcome = new KeyValuePair<string, object?>("outcome", turn.Outcome ?? "unknown");
        Turns.Add(1, outcome);
        if (turn is { StartedAt: { } started, EndedAt: { } ended })
        {
            TurnDuration.Record(Math.Max(0, (ended - started).TotalSeconds), outcome);
            ToolCallsPerTurn.Record(turn.NextCallIndex);
        }
    }
}
