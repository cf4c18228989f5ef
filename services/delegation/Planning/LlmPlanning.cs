using System.ClientModel;
using System.Text;
using System.Text.Json;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Options;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace Mesh.Delegation.Planning;

/// <summary>The OpenAI-compatible chat model behind planning and aggregation (<c>LLM_BASE_URL</c>).</summary>
public sealed class LlmClient(IOptions<LlmOptions> options)
{
    private readonly ChatClient client = new(
        options.Value.Model,
        new ApiKeyCredential(string.IsNullOrEmpty(options.Value.ApiKey) ? "unused" : options.Value.ApiKey),
        new OpenAIClientOptions { Endpoint = new Uri(options.Value.BaseUrl!), NetworkTimeout = options.Value.Timeout });

    public async Task<string> CompleteAsync(string system, string user, ChatResponseFormat? format, CancellationToken cancellationToken)
    {
        try
        {
            var completion = await client.CompleteChatAsync(
                [new SystemChatMessage(system), new UserChatMessage(user)],
                new ChatCompletionOptions { ResponseFormat = format, Temperature = 0 },
                cancellationToken);
            var text = string.Concat(completion.Value.Content.Select(part => part.Text));
            return text.Length > 0 ? text : throw new PlanningException("The model answered with no text.");
        }
        catch (ClientResultException e)
        {
            throw new PlanningException($"The model call failed with status {e.Status}.", e);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AggregateException && !cancellationToken.IsCancellationRequested)
        {
            // The client retries a failed connection itself and then reports every attempt's failure together.
            throw new PlanningException("The model could not be reached in time.", e);
        }
    }
}

/// <summary>
/// Plans with the model's structured output: a JSON object <c>{"atomic": bool, "subtasks": [{"goal": string,
/// "depends_on": [index of an earlier subtask]}]}</c>, constrained by a strict JSON schema.
/// </summary>
public sealed class LlmGoalSplitter(LlmClient llm) : IGoalSplitter
{
    private const string Schema =
        """
        {
          "type": "object",
          "additionalProperties": false,
          "required": ["atomic", "subtasks"],
          "properties": {
            "atomic": { "type": "boolean" },
            "subtasks": {
              "type": "array",
              "items": {
                "type": "object",
                "additionalProperties": false,
                "required": ["goal", "depends_on"],
                "properties": {
                  "goal": { "type": "string" },
                  "depends_on": { "type": "array", "items": { "type": "integer" } }
                }
              }
            }
          }
        }
        """;

    private static readonly ChatResponseFormat Format =
        ChatResponseFormat.CreateJsonSchemaFormat("delegation_plan", BinaryData.FromString(Schema), jsonSchemaIsStrict: true);

    public async Task<GoalSplit> SplitAsync(string goal, int maxSteps, CancellationToken cancellationToken)
    {
        var system =
            "You plan work for sub-agents. Decide whether the goal is atomic (one agent can do it in one answer) or should be split " +
            $"into 2 to {maxSteps} self-contained sub-tasks. For each sub-task give its goal and the 0-based indices of earlier sub-tasks " +
            "whose results it needs (depends_on). Independent sub-tasks have an empty depends_on. An atomic goal has no sub-tasks.";
        var answer = await llm.CompleteAsync(system, goal, Format, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.GetProperty("atomic").GetBoolean())
            {
                return GoalSplit.Atomic;
            }

            var steps = root.GetProperty("subtasks").EnumerateArray()
                .Select(s => new PlanStep(
                    s.GetProperty("goal").GetString() ?? "",
                    [.. s.GetProperty("depends_on").EnumerateArray().Select(d => d.GetInt32())]))
                .ToList();
            return steps.Any(s => string.IsNullOrWhiteSpace(s.Goal))
                ? throw new PlanningException("The model's plan has a sub-task without a goal.")
                : new GoalSplit(steps);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new PlanningException("The model's plan does not follow the plan schema.", e);
        }
    }
}

/// <summary>Aggregates with the model: the goal and each sub-task's result in, one combined answer out.</summary>
public sealed class LlmAggregator(LlmClient llm) : IAggregator
{
    public Task<string> CombineAsync(string goal, IReadOnlyList<TaskSnapshot> children, CancellationToken cancellationToken)
    {
        var prompt = new StringBuilder("Goal: ").Append(goal).Append("\n\nSub-task results:");
        foreach (var child in children.OrderBy(c => c.Ordinal))
        {
            prompt.Append("\n\n## ").Append(child.Goal).Append('\n').Append(
                child.Status == DelegationStatus.Completed ? child.Result : $"(no result: {Statuses.Name(child.Status)})");
        }

        return llm.CompleteAsync(
            "Combine the sub-task results into one complete answer to the goal. Say plainly what is missing when a sub-task has no result.",
            prompt.ToString(), null, cancellationToken);
    }
}
