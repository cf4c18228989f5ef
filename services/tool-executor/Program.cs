using Mesh.Contracts.Messaging;
using Mesh.Contracts.Tools;
using Mesh.Infra.Messaging;
using Mesh.Observability.Hosting;
using Mesh.ToolExecutor;
using Mesh.ToolExecutor.Endpoints;
using Mesh.ToolExecutor.Handlers;
using Mesh.ToolExecutor.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("tool-executor", defaultPort: 8082);
builder.AddServiceDependency("policy", builder.Configuration["POLICY_URL"] ?? "http://localhost:8083");
builder.Services
    .AddExecutorOptions(builder.Configuration)
    .AddToolRegistry()
    .AddExecution()
    .AddMeshPublisher()
    .AddMeshConsumer(o =>
    {
        // Up to Executor:MaxConcurrency requests of each partition at once: see README.md, "Concurrency and offsets".
        o.GroupId = "tool-executor";
        o.Assignment = PartitionAssignment.CooperativeSticky;
        o.Topic<ToolRequest, ExecuteToolHandler>(
            MeshTopics.ToolRequests, maxInFlightPerPartition: ExecutorOptions.Read(builder.Configuration).MaxConcurrency);
    });

var app = builder.Build();
app.MapMeshDefaults();
app.MapToolEndpoints();
app.Run();
