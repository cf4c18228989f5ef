using Mesh.ConversationWorker;
using Mesh.ConversationWorker.Endpoints;
using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("conversation-worker", defaultPort: 8081);
builder.AddServiceDependency("policy", builder.Configuration["POLICY_URL"] ?? "http://localhost:8083");
builder.Services
    .AddWorkerOptions(builder.Configuration)
    .AddAgentLoop()
    .AddAgentMessaging();

var app = builder.Build();
app.MapMeshDefaults();
app.MapSessionApi();
app.Run();
