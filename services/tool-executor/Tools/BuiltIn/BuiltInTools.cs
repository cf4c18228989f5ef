using Microsoft.Extensions.Hosting;

namespace Mesh.ToolExecutor.Tools.BuiltIn;

/// <summary>Registers the built-in tools before the consumer starts taking requests.</summary>
public sealed class BuiltInTools(ToolRegistry registry, IEnumerable<ITool> tools) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var tool in tools)
        {
            await registry.RegisterAsync(tool, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
