extern alias KafkaHost;

using System.Net;
using System.Net.Sockets;
using KafkaHost::Mesh.KafkaHost;
using NUnit.Framework;

namespace Mesh.KafkaHost.Tests;

public sealed class ListenerSocketsTests
{
    [Test]
    public async Task Connections_accepted_on_a_listed_port_have_Nagle_off_and_others_keep_it()
    {
        using var listed = new TcpListener(IPAddress.Loopback, 0);
        using var other = new TcpListener(IPAddress.Loopback, 0);
        listed.Start();
        other.Start();
        var port = ((IPEndPoint)listed.LocalEndpoint).Port;

        var changed = ListenerSockets.DisableNagle($"127.0.0.1:{port}");

        Assert.Multiple(async () =>
        {
            Assert.That(changed, Is.EqualTo(1));
            Assert.That(await AcceptedNoDelayAsync(listed), Is.True);
            Assert.That(await AcceptedNoDelayAsync(other), Is.False);
        });
    }

    private static async Task<bool> AcceptedNoDelayAsync(TcpListener listener)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptSocketAsync();
        return (int)accepted.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.NoDelay)! != 0;
    }
}
