using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("tool-executor", defaultPort: 8082);
builder.AddServiceDependency("policy", builder.Configuration["POLICY_URL"] ?? "http://localhost:8083");
var app = builder.Build();
app.MapMeshDefaults();
app.Run();
