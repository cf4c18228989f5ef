using Mesh.Observability.Hosting;
using Mesh.Policy;
using Mesh.Policy.Endpoints;

var builder = WebApplication.CreateBuilder(args);
builder.AddMeshDefaults("policy", defaultPort: 8083);
builder.Services
    .AddPolicyOptions()
    .AddPolicyEvaluation(builder.Configuration)
    .AddDecisions()
    .AddKillSwitches()
    .AddBudgets()
    .AddDevSeed();

var app = builder.Build();
app.MapMeshDefaults();
app.MapOpenFgaApi();
app.MapCheckApi();
app.MapTenantModelApi();
app.MapKillSwitchApi();
app.MapBudgetApi();
app.Run();
