using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("delegation", defaultPort: 8084);

var app = builder.Build();
app.MapMeshDefaults();
app.Run();
