using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Options;
using Mesh.Delegation.Planning;
using Mesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

/// <summary>Planning and aggregation with an OpenAI-compatible model, served by a local fake over HTTP.</summary>
[TestFixture]
public sealed class LlmPlanningTests
{
    private WebApplication? server;
    private string answer = "";
    private JsonNode? lastRequest;
    private LlmClient? llm;

    [OneTimeSetUp]
    public async Task StartModelAsync()
    {
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        server = builder.Build();
        server.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            lastRequest = await JsonNode.ParseAsync(context.Request.Body);
            var completion = new JsonObject
            {
                ["id"] = "chatcmpl-1",
                ["object"] = "chat.completion",
                ["created"] = 1,
                ["model"] = "planner",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["total_tokens"] = 15 },
            };
            return Results.Text(completion.ToJsonString(), "application/json");
        });
        await server.StartAsync();
        llm = new LlmClient(Microsoft.Extensions.Options.Options.Create(new LlmOptions { BaseUrl = $"http://127.0.0.1:{port}/v1", ApiKey = "k", Model = "planner" }));
    }

    [OneTimeTearDown]
    public async Task StopModelAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [Test]
    public async Task Planner_asks_for_strict_structured_output_and_reads_the_steps_with_their_dependencies()
    {
        answer = """{"atomic":false,"subtasks":[{"goal":"collect figures","depends_on":[]},{"goal":"write summary","depends_on":[0]}]}""";

        var split = await new LlmGoalSplitter(llm!).SplitAsync("Report on sales", 8, CancellationToken.None);
        var format = lastRequest!["response_format"]!;

        Assert.Multiple(() =>
        {
            Assert.That(split.Steps.Select(s => s.Goal), Is.EqualTo(new[] { "collect figures", "write summary" }));
            Assert.That(split.Steps[1].DependsOn, Is.EqualTo(new[] { 0 }));
            Assert.That(format["type"]!.GetValue<string>(), Is.EqualTo("json_schema"));
            Assert.That(format["json_schema"]!["strict"]!.GetValue<bool>(), Is.True);
            Assert.That(format["json_schema"]!["schema"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "atomic", "subtasks" }));
            Assert.That(lastRequest["model"]!.GetValue<string>(), Is.EqualTo("planner"));
        });
    }

    [Test]
    public async Task Atomic_answer_means_the_goal_runs_directly()
    {
        answer = """{"atomic":true,"subtasks":[]}""";

        Assert.That((await new LlmGoalSplitter(llm!).SplitAsync("What is 2 plus 2?", 8, CancellationToken.None)).IsAtomic, Is.True);
    }

    [Test]
    public void Answer_outside_the_plan_schema_is_a_planning_failure()
    {
        answer = """{"steps":["a","b"]}""";

        Assert.That(async () => await new LlmGoalSplitter(llm!).SplitAsync("Report on sales", 8, CancellationToken.None), Throws.InstanceOf<PlanningException>());
    }

    [Test]
    public async Task Aggregator_sends_each_sub_task_result_and_returns_the_models_answer()
    {
        answer = "Combined: 42 and 42.";
        var children = new[]
        {
            new TaskSnapshot(Guid.NewGuid(), null, 1, 1, TaskKind.Work, "first part", [], DelegationStatus.Completed, "42"),
            new TaskSnapshot(Guid.NewGuid(), null, 2, 1, TaskKind.Work, "second part", [], DelegationStatus.Failed, ErrorCode: "task_timeout"),
        };

        var combined = await new LlmAggregator(llm!).CombineAsync("both parts", children, CancellationToken.None);
        var prompt = lastRequest!["messages"]!.AsArray().Last()!["content"]!.GetValue<string>();

        Assert.Multiple(() =>
        {
            Assert.That(combined, Is.EqualTo("Combined: 42 and 42."));
            Assert.That(prompt, Does.Contain("## first part\n42").And.Contain("## second part\n(no result: failed)"));
            Assert.That(lastRequest["response_format"], Is.Null);
        });
    }

    [Test]
    public void Unreachable_model_is_a_planning_failure()
    {
        var offline = new LlmClient(Microsoft.Extensions.Options.Options.Create(new LlmOptions { BaseUrl = $"http://127.0.0.1:{Ports.Free()}/v1", Timeout = TimeSpan.FromSeconds(2) }));

        Assert.That(async () => await new LlmGoalSplitter(offline).SplitAsync("goal", 8, CancellationToken.None), Throws.InstanceOf<PlanningException>());
    }
}
