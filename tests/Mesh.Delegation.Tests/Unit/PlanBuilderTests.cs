using Mesh.Delegation.Domain;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Unit;

[TestFixture]
public sealed class PlanBuilderTests
{
    private static Task<PlanOutcome> BuildAsync(string goal, int baseDepth = 0, int maxDepth = 2, int maxFanOut = 8, int maxTasks = 64) =>
        PlanBuilder.BuildAsync(
            goal, new PlanLimits(baseDepth, maxDepth, maxFanOut, maxTasks), (g, _) => Task.FromResult(OfflinePlanner.Split(g)), Guid.NewGuid, CancellationToken.None);

    [Test]
    public async Task Atomic_goal_becomes_a_single_work_task_at_the_base_depth()
    {
        var plan = await BuildAsync("What is 6 times 7?", baseDepth: 1);

        Assert.Multiple(() =>
        {
            Assert.That(plan.IsRefused, Is.False);
            Assert.That(plan.Tasks, Has.Count.EqualTo(1));
            Assert.That(plan.Tasks[0].Kind, Is.EqualTo(TaskKind.Work));
            Assert.That(plan.Tasks[0].Depth, Is.EqualTo(1));
            Assert.That(plan.Tasks[0].ParentId, Is.Null);
        });
    }

    [Test]
    public async Task Compound_goal_becomes_an_aggregate_over_work_tasks_with_dependencies_mapped_to_ids()
    {
        var plan = await BuildAsync("Collect the figures, then write a summary");
        var root = plan.Tasks[0];

        Assert.Multiple(() =>
        {
            Assert.That(plan.Tasks.Select(t => (t.Kind, t.Depth, t.Goal)), Is.EqualTo(new[]
            {
                (TaskKind.Aggregate, 0, "Collect the figures, then write a summary"),
                (TaskKind.Work, 1, "Collect the figures"),
                (TaskKind.Work, 1, "write a summary"),
            }));
            Assert.That(plan.Tasks.Skip(1).All(t => t.ParentId == root.Id), Is.True);
            Assert.That(plan.Tasks[2].DependsOn, Is.EqualTo(new[] { plan.Tasks[1].Id }));
            Assert.That(plan.Tasks.Select(t => t.Ordinal), Is.EqualTo(new[] { 0, 1, 2 }));
        });
    }

    [Test]
    public async Task Steps_split_again_while_the_depth_limit_allows()
    {
        const string goal = "1. Summarize the report and list the risks\n2. Draft a reply";
        var deep = await BuildAsync(goal, maxDepth: 2);
        var shallow = await BuildAsync(goal, maxDepth: 1);
        var none = await BuildAsync(goal, maxDepth: 0);

        Assert.Multiple(() =>
        {
            Assert.That(deep.Tasks.Select(t => t.Depth), Is.EqualTo(new[] { 0, 1, 2, 2, 1 }));
            Assert.That(shallow.Tasks.Select(t => t.Depth), Is.EqualTo(new[] { 0, 1, 1 }));
            Assert.That(shallow.Tasks.Skip(1).All(t => t.Kind == TaskKind.Work), Is.True);
            Assert.That(none.Tasks, Has.Count.EqualTo(1), "at the depth limit a goal runs directly");
        });
    }

    [Test]
    public async Task Split_wider_than_the_fan_out_limit_is_refused()
    {
        var plan = await BuildAsync("- a one\n- b two\n- c three", maxFanOut: 2);

        Assert.Multiple(() =>
        {
            Assert.That(plan.IsRefused, Is.True);
            Assert.That(plan.RefusalCode, Is.EqualTo(ErrorCodes.FanOutLimitExceeded));
            Assert.That(plan.Tasks, Is.Empty);
        });
    }

    [Test]
    public async Task Plan_with_more_tasks_than_allowed_is_refused()
    {
        var plan = await BuildAsync("- a one\n- b two\n- c three", maxTasks: 3);

        Assert.That(plan.RefusalCode, Is.EqualTo(ErrorCodes.TaskLimitExceeded));
    }

    [Test]
    public async Task Dependency_on_a_later_step_is_refused_so_the_dag_stays_acyclic()
    {
        var split = new GoalSplit([new PlanStep("first", [1]), new PlanStep("second", [])]);
        var plan = await PlanBuilder.BuildAsync(
            "goal", new PlanLimits(0, 2, 8, 64), (g, _) => Task.FromResult(g == "goal" ? split : GoalSplit.Atomic), Guid.NewGuid, CancellationToken.None);

        Assert.That(plan.RefusalCode, Is.EqualTo(ErrorCodes.PlanningFailed));
    }
}
