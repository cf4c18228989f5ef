using Mesh.Contracts.Conversations;
using Mesh.Contracts.Messaging;
using Mesh.Delegation;
using Mesh.Delegation.Endpoints;
using Mesh.Delegation.Handlers;
using Mesh.Delegation.Options;
using Mesh.Infra.Messaging;
using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("delegation", defaultPort: 8084);
builder.Services
    .AddDelegationOptions(builder.Configuration, builder.Environment)
    .AddPlanning()
    .AddReceipts()
    .AddExternalExecutor()
    .AddExecutions()
    .AddMeshPublisher()
    .AddMeshConsumer(o =>
    {
        // One group for the service: each instance must see the final events of the child sessions it started.
        o.GroupId = "delegation";
        o.Assignment = PartitionAssignment.CooperativeSticky;
        o.MaxAttempts = 10;
        o.Topic<ConversationEvent, ChildSessionEventHandler>(MeshTopics.ConversationOutbound);
    });

var app = builder.Build();
app.MapMeshDefaults();
app.MapExecutionApi();
app.MapReceiptApi();
app.Run();
