using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Integration;

/// <summary>Stops the shared stack after the last integration test, if any test started it.</summary>
[SetUpFixture]
public sealed class StackTeardown
{
    [OneTimeTearDown]
    public async Task StopSharedStackAsync() => await ExecutorStack.StopSharedAsync();
}
