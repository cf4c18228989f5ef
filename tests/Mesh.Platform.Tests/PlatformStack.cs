using Mesh.Testing;
using NUnit.Framework;

namespace Mesh.Platform.Tests;

/// <summary>One real stack with all five services for the platform tests of this assembly.</summary>
[SetUpFixture]
public sealed class PlatformStack
{
    private static MeshStack? stack;

    public static MeshStack Stack => stack ?? throw new InvalidOperationException("The platform stack did not start.");

    public static readonly string[] AllServices = ["gateway", "conversation-worker", "tool-executor", "policy", "delegation"];

    [OneTimeSetUp]
    public async Task StartAsync() => stack = await MeshStack.StartAsync(AllServices);

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (stack is not null)
        {
            await stack.DisposeAsync();
        }
    }
}
