using System.Net;
using System.Text.Json;
using Mesh.Contracts.Conversations;
using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Integration;

/// <summary>Budgets fail closed: a worker whose policy service cannot be reached calls no model.</summary>
[TestFixture]
[NonParallelizable]
public sealed class PolicyUnreachableTests
{
    private WorkerStack stack = null!;

    [OneTimeSetUp]
    public async Task StartStackAsync() =>
        stack = await WorkerStack.StartAsync([], new Dictionary<string, string> { ["POLICY_URL"] = $"http://127.0.0.1:{Ports.Free()}" }, waitForReadiness: false);

    [OneTimeTearDown]
    public async Task StopStackAsync() => await stack.DisposeAsync();

    [Test]
    public async Task Without_the_policy_service_the_turn_ends_with_budget_unavailable_and_readiness_names_it()
    {
        var session = Guid.NewGuid();
        var message = await stack.SendAsync(session, "what is 1 + 1");

        var events = await stack.Recorder.WaitForEventsAsync(session, e => OfflineConversationTests.IsOver(e, message.TurnId), TimeSpan.FromSeconds(90), "the refusal");
        var readiness = await stack.WorkerProcess.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));

        using var body = JsonDocument.Parse(readiness);
        Assert.Multiple(() =>
        {
            Assert.That(events[^1].Type, Is.EqualTo(ConversationEventType.Error));
            Assert.That(events[^1].Error!.Code, Is.EqualTo("budget_unavailable"));
            Assert.That(stack.Recorder.Requests(session), Is.Empty, "no model call, no tool call");
            Assert.That(body.RootElement.GetProperty("failing").EnumerateArray().Select(f => f.GetString()), Is.EqualTo(new[] { "policy" }));
        });
    }
}
