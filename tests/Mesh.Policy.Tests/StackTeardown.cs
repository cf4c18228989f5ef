using Mesh.Policy.Tests.Integration;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

/// <summary>Stops the shared stack after the last test of the assembly (every test is in this namespace), if any test started it.</summary>
[SetUpFixture]
public sealed class StackTeardown
{
    [OneTimeTearDown]
    public async Task StopSharedStackAsync() => await PolicyStack.DisposeAsync();
}
