using System.Net;
using System.Text.Json;
using Mesh.Contracts.Common;
using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Mesh.Testing;
using Npgsql;

namespace Mesh.ConversationWorker.Tests.Integration;

/// <summary>
/// A real stack (PostgreSQL, Redis, embedded Kafka, the named services) with the conversation worker started on
/// top with the given settings; messages are produced with the mesh's own publisher and everything the worker
/// publishes is recorded. When no tool executor runs, a test answers the tool requests itself.
/// </summary>
public sealed class WorkerStack : IAsyncDisposable
{
    public const string Worker = "conversation-worker";

    private static readonly TimeSpan Readiness = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, string> workerEnvironment;

    private WorkerStack(MeshStack stack, Dictionary<string, string> workerEnvironment)
    {
        Stack = stack;
        this.workerEnvironment = workerEnvironment;
        Recorder = new TopicRecorder(stack.Kafka.BootstrapServers);
        Publisher = new MeshPublisher(new MeshPublisherOptions { BootstrapServers = stack.Kafka.BootstrapServers, ClientId = "worker-tests" });
        Database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
    }

    public MeshStack Stack { get; }

    public TopicRecorder Recorder { get; }

    public MeshPublisher Publisher { get; }

    public NpgsqlDataSource Database { get; }

    public ServiceProcess WorkerProcess => Stack.Services[Worker];

    /// <summary>Starts <paramref name="services"/>, then the worker with <paramref name="workerEnvironment"/>, and waits until it is ready.</summary>
    public static async Task<WorkerStack> StartAsync(string[] services, IDictionary<string, string>? workerEnvironment = null, bool waitForReadiness = true)
    {
        var stack = await MeshStack.StartAsync(services);
        var environment = new Dictionary<string, string>(workerEnvironment ?? new Dictionary<string, string>());
        // Without an executor of the stack's own, nothing answers there: the catalog stays empty.
        environment.TryAdd("TOOL_EXECUTOR_URL", stack.Services.TryGetValue("tool-executor", out var executor)
            ? executor.BaseAddress.ToString().TrimEnd('/')
            : $"http://127.0.0.1:{Ports.Free()}");

        var worker = new WorkerStack(stack, environment);
        try
        {
            await worker.StartWorkerAsync(waitForReadiness);
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a worker process (again, after <see cref="KillWorker"/>).</summary>
    public async Task StartWorkerAsync(bool waitForReadiness = true)
    {
        var process = await Stack.StartServiceAsync(Worker, workerEnvironment);
        if (waitForReadiness)
        {
            await process.WaitForReadinessAsync(HttpStatusCode.OK, Readiness);
        }
    }

    /// <summary>Kills the worker process at once: a crash, not a shutdown.</summary>
    public void KillWorker() => WorkerProcess.Kill();

    /// <summary>Sends a chat message that opens a new turn; returns it.</summary>
    public async Task<ConversationMessage> SendAsync(
        Guid sessionId, string text, string tenantId = "dev", string actorId = "dev-user", string? personaId = null,
        IReadOnlyDictionary<string, string>? labels = null, Guid? turnId = null)
    {
        var message = new ConversationMessage(
            ConversationMessageKind.Message, sessionId, tenantId, actorId, turnId ?? Guid.NewGuid(), DateTimeOffset.UtcNow, personaId,
            "c-" + Guid.NewGuid().ToString("N")[..8], text, labels is null ? null : new ConversationMetadata(Labels: labels));
        await PublishAsync(message);
        return message;
    }

    /// <summary>Asks to cancel <paramref name="turnId"/> (or, for a turn id the worker never saw, the running turn).</summary>
    public async Task CancelAsync(Guid sessionId, Guid turnId, string tenantId = "dev", string actorId = "dev-user") =>
        await PublishAsync(new ConversationMessage(ConversationMessageKind.Cancel, sessionId, tenantId, actorId, turnId, DateTimeOffset.UtcNow));

    public Task PublishAsync(ConversationMessage message) =>
        Publisher.PublishAsync(MeshTopics.ConversationInbound, message.SessionId.ToString("D"), message, new PublishContext(message.TenantId, message.TurnId.ToString("D")));

    /// <summary>Answers a tool request as an executor would.</summary>
    public Task AnswerAsync(ToolRequest request, string outputJson, ToolResultStatus status = ToolResultStatus.Succeeded)
    {
        using var output = JsonDocument.Parse(outputJson);
        var result = new ToolResult(
            request.RequestId, request.SessionId, request.TurnId, request.CallIndex, request.TenantId, request.Tool, status,
            Truncated: false, FromCache: false, DurationMs: 3, "test-executor", DateTimeOffset.UtcNow,
            Output: status == ToolResultStatus.Succeeded ? output.RootElement.Clone() : null,
            Error: status == ToolResultStatus.Succeeded ? null : new ErrorDetail("tool_error", "the test said so"));
        return Publisher.PublishAsync(MeshTopics.ToolResults, request.SessionId.ToString("D"), result, new PublishContext(request.TenantId, request.TurnId.ToString("D")));
    }

    /// <summary>A client of the worker's HTTP API (the service key by default).</summary>
    public HttpClient Client(string? key = null) => Stack.Client(Worker, key ?? Stack.ServiceKey);

    public async ValueTask DisposeAsync()
    {
        Recorder.Dispose();
        Publisher.Dispose();
        await Database.DisposeAsync();
        await Stack.DisposeAsync();
    }
}
