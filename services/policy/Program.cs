using Mesh.Observability.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("policy", defaultPort: 8083);
var app = builder.Build();
app.MapMeshDefaults();
app.Run();
