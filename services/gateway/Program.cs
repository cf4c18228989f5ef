using Mesh.Gateway;
using Mesh.Gateway.Endpoints;
using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("gateway", defaultPort: 8080);
builder.Services
    .AddGatewayOptions()
    .AddSessions()
    .AddRealtime()
    .AddOps();

var app = builder.Build();
app.UseChatPage();
app.MapMeshDefaults();
app.UseKeyRateLimiting();
app.UseWebSockets();
app.MapDevKey();
app.MapKeyAdminApi();
app.MapDeadLetterApi();
app.MapSessionApi();
app.MapRealtimeApi();
app.MapOpsApi();
app.Run();
