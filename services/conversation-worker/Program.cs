using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("conversation-worker", defaultPort: 8081);

var app = builder.Build();
app.MapMeshDefaults();
app.Run();
