using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("gateway", defaultPort: 8080);
var app = builder.Build();
app.MapMeshDefaults();
app.Run();
