using System.Net;
using System.Text;
using Mesh.ToolExecutor.Execution;
using Mesh.ToolExecutor.Options;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class PolicyGateTests
{
    private sealed class StubPolicy(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        public int Calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return answer(request, cancellationToken);
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { BaseAddress = new Uri("http://policy.test") };
    }

    private static HttpResponseMessage Decision(bool allowed, string reason) => new(HttpStatusCode.OK)
    {
        Content = new StringContent($$"""{"allowed":{{(allowed ? "true" : "false")}},"decision_id":"{{Guid.NewGuid()}}","reason":"{{reason}}","source":"embedded"}""", Encoding.UTF8, "application/json"),
    };

    private static PolicyGate Gate(StubPolicy policy, TimeSpan? timeout = null) => new(
        new Factory(policy),
        Microsoft.Extensions.Options.Options.Create(new PolicyGateOptions { ServiceKey = "k", Timeout = timeout ?? TimeSpan.FromSeconds(1), AllowedTtl = TimeSpan.FromMinutes(1) }),
        new ToolMetrics(new CircuitBreakers(Microsoft.Extensions.Options.Options.Create(new ExecutorOptions()), TimeProvider.System)),
        TimeProvider.System,
        NullLogger<PolicyGate>.Instance);

    private static Task<GateDecision> AskAsync(PolicyGate gate, string actor = "alice") =>
        gate.CheckAsync("dev", actor, "echo", Guid.NewGuid(), Guid.NewGuid(), CancellationToken.None);

    [Test]
    public async Task Asks_for_can_execute_on_the_tool_for_the_actor_of_the_tenant()
    {
        string? body = null;
        var policy = new StubPolicy(async (request, ct) =>
        {
            body = await request.Content!.ReadAsStringAsync(ct);
            return Decision(true, "allowed");
        });
        var decision = await AskAsync(Gate(policy));
        Assert.Multiple(() =>
        {
            Assert.That(decision.Allowed, Is.True);
            Assert.That(decision.DecisionId, Is.Not.Null);
            Assert.That(body, Does.Contain("\"tenant_id\":\"dev\"").And.Contain("\"user\":\"user:alice\"")
                .And.Contain("\"relation\":\"can_execute\"").And.Contain("\"object\":\"tool:echo\""));
        });
    }

    [Test]
    public async Task A_slow_policy_denies_with_policy_unavailable_within_the_deadline()
    {
        var policy = new StubPolicy(async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return Decision(true, "allowed");
        });
        var started = DateTime.UtcNow;
        var decision = await AskAsync(Gate(policy, TimeSpan.FromMilliseconds(200)));
        Assert.Multiple(() =>
        {
            Assert.That(decision.Allowed, Is.False);
            Assert.That(decision.Reason, Is.EqualTo("policy_unavailable"));
            Assert.That(decision.DecisionId, Is.Null);
            Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [TestCase(HttpStatusCode.InternalServerError)]
    [TestCase(HttpStatusCode.Unauthorized)]
    public async Task An_error_answer_denies_with_policy_unavailable(HttpStatusCode status)
    {
        var decision = await AskAsync(Gate(new StubPolicy((_, _) => Task.FromResult(new HttpResponseMessage(status)))));
        Assert.Multiple(() =>
        {
            Assert.That(decision.Allowed, Is.False);
            Assert.That(decision.Reason, Is.EqualTo("policy_unavailable"));
        });
    }

    [Test]
    public async Task Allow_decisions_are_reused_and_deny_decisions_are_not()
    {
        var allowing = new StubPolicy((_, _) => Task.FromResult(Decision(true, "allowed")));
        var allowGate = Gate(allowing);
        var first = await AskAsync(allowGate);
        var second = await AskAsync(allowGate);

        var denying = new StubPolicy((_, _) => Task.FromResult(Decision(false, "no_relation")));
        var denyGate = Gate(denying);
        await AskAsync(denyGate);
        var denied = await AskAsync(denyGate);
        Assert.Multiple(() =>
        {
            Assert.That(allowing.Calls, Is.EqualTo(1));
            Assert.That(second.DecisionId, Is.EqualTo(first.DecisionId));
            Assert.That(denying.Calls, Is.EqualTo(2));
            Assert.That(denied.Reason, Is.EqualTo("no_relation"));
        });
    }

    [Test]
    public async Task Checks_that_miss_the_cache_together_share_one_question()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var policy = new StubPolicy((_, _) => answer.Task);
        var gate = Gate(policy);
        var checks = Enumerable.Range(0, 50).Select(_ => AskAsync(gate)).ToList();
        answer.SetResult(Decision(true, "allowed"));
        var decisions = await Task.WhenAll(checks);
        Assert.Multiple(() =>
        {
            Assert.That(policy.Calls, Is.EqualTo(1));
            Assert.That(decisions.Select(d => d.DecisionId).Distinct().Count(), Is.EqualTo(1));
            Assert.That(decisions, Has.All.Property(nameof(GateDecision.Allowed)).True);
        });
    }

    [Test]
    public async Task A_caller_that_gives_up_does_not_fail_the_others_waiting_for_the_same_question()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = Gate(new StubPolicy((_, _) => answer.Task));
        using var givingUp = new CancellationTokenSource();
        var impatient = gate.CheckAsync("dev", "alice", "echo", Guid.NewGuid(), Guid.NewGuid(), givingUp.Token);
        var patient = AskAsync(gate);
        await givingUp.CancelAsync();
        answer.SetResult(Decision(true, "allowed"));
        var decision = await patient;
        Assert.Multiple(() =>
        {
            Assert.That(async () => await impatient, Throws.InstanceOf<OperationCanceledException>());
            Assert.That(decision.Allowed, Is.True);
        });
    }
}
