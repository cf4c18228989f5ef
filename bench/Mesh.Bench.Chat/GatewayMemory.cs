using System.Globalization;
using Mesh.Testing;

namespace Mesh.Bench.Chat;

/// <summary>The gateway process's resident memory now and at its peak (<c>VmRSS</c>, <c>VmHWM</c> in /proc).</summary>
internal sealed record GatewayMemory(double RssMiB, double PeakMiB)
{
    public static GatewayMemory Of(ServiceProcess gateway)
    {
        var status = File.ReadAllLines($"/proc/{gateway.ProcessId}/status");
        return new GatewayMemory(KiB(status, "VmRSS:") / 1024, KiB(status, "VmHWM:") / 1024);
    }

    private static double KiB(string[] status, string field) =>
        double.Parse(status.Single(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}
