using System.Net;
using System.Net.Sockets;

namespace Mesh.ToolExecutor.Domain;

/// <summary>What kind of network an address belongs to, as far as <c>http.fetch</c> cares.</summary>
public enum AddressKind
{
    /// <summary>A public internet address.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT), fc00::/7.</summary>
    Private,

    /// <summary>169.254/16, fe80::/10.</summary>
    LinkLocal,

    /// <summary>Cloud instance-metadata endpoints: never reachable, whatever the configuration says.</summary>
    Metadata,

    /// <summary>0.0.0.0/8, ::, multicast, broadcast, documentation and other reserved ranges.</summary>
    Reserved,
}

/// <summary>
/// The address rules of <c>http.fetch</c>: where a request may connect. Names are resolved first and every
/// address they resolve to must pass, so a public name pointing at a private address is refused too.
/// </summary>
public static class AddressRules
{
    private static readonly IPAddress[] MetadataAddresses =
    [
        IPAddress.Parse("169.254.169.254"),   // AWS, GCP, Azure, OpenStack, DigitalOcean
        IPAddress.Parse("169.254.170.2"),     // AWS ECS task metadata
        IPAddress.Parse("100.100.100.200"),   // Alibaba Cloud
        IPAddress.Parse("fd00:ec2::254"),     // AWS over IPv6
    ];

    private static readonly (IPAddress Network, int Prefix, AddressKind Kind)[] Ranges =
    [
        (IPAddress.Parse("0.0.0.0"), 8, AddressKind.Reserved),
        (IPAddress.Parse("10.0.0.0"), 8, AddressKind.Private),
        (IPAddress.Parse("100.64.0.0"), 10, AddressKind.Private),
        (IPAddress.Parse("127.0.0.0"), 8, AddressKind.Loopback),
        (IPAddress.Parse("169.254.0.0"), 16, AddressKind.LinkLocal),
        (IPAddress.Parse("172.16.0.0"), 12, AddressKind.Private),
        (IPAddress.Parse("192.0.0.0"), 24, AddressKind.Reserved),
        (IPAddress.Parse("192.0.2.0"), 24, AddressKind.Reserved),
        (IPAddress.Parse("192.168.0.0"), 16, AddressKind.Private),
        (IPAddress.Parse("198.18.0.0"), 15, AddressKind.Reserved),
        (IPAddress.Parse("198.51.100.0"), 24, AddressKind.Reserved),
        (IPAddress.Parse("203.0.113.0"), 24, AddressKind.Reserved),
        (IPAddress.Parse("224.0.0.0"), 3, AddressKind.Reserved),
        (IPAddress.Parse("::"), 128, AddressKind.Reserved),
        (IPAddress.Parse("::1"), 128, AddressKind.Loopback),
        (IPAddress.Parse("64:ff9b::"), 96, AddressKind.Reserved),
        (IPAddress.Parse("100::"), 64, AddressKind.Reserved),
        (IPAddress.Parse("2001:db8::"), 32, AddressKind.Reserved),
        (IPAddress.Parse("fc00::"), 7, AddressKind.Private),
        (IPAddress.Parse("fe80::"), 10, AddressKind.LinkLocal),
        (IPAddress.Parse("ff00::"), 8, AddressKind.Reserved),
    ];

    /// <summary>Classifies an address; an IPv4-mapped IPv6 address is judged as the IPv4 address it carries.</summary>
    public static AddressKind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (MetadataAddresses.Any(m => m.Equals(address)))
        {
            return AddressKind.Metadata;
        }
        foreach (var (network, prefix, kind) in Ranges)
        {
            if (network.AddressFamily == address.AddressFamily && InNetwork(address, network, prefix))
            {
                return kind;
            }
        }
        return AddressKind.Public;
    }

    /// <summary>
    /// Why a connection to <paramref name="address"/> is refused, or null when it may go ahead. Public addresses
    /// pass; loopback, private, link-local and reserved ones pass only when the address itself is listed in the
    /// host allowlist (an explicit IP literal); metadata endpoints never pass.
    /// </summary>
    public static string? Refusal(IPAddress address, HostAllowlist allowlist)
    {
        var kind = Classify(address);
        var canonical = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return kind switch
        {
            AddressKind.Public => null,
            AddressKind.Metadata => $"{canonical} is a cloud metadata endpoint",
            _ when allowlist.ListsAddress(canonical) => null,
            _ => $"{canonical} is a {Describe(kind)} address and not explicitly allowlisted",
        };
    }

    private static string Describe(AddressKind kind) => kind switch
    {
        AddressKind.Loopback => "loopback",
        AddressKind.Private => "private",
        AddressKind.LinkLocal => "link-local",
        _ => "reserved",
    };

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        var fullBytes = prefix / 8;
        for (var i = 0; i < fullBytes; i++)
        {
            if (a[i] != n[i])
            {
                return false;
            }
        }
        var remainder = prefix % 8;
        if (remainder == 0)
        {
            return true;
        }
        var mask = (byte)(0xFF << (8 - remainder));
        return (a[fullBytes] & mask) == (n[fullBytes] & mask);
    }
}

/// <summary>
/// The hosts <c>http.fetch</c> may ask: exact names (<c>example.com</c>), subdomain wildcards
/// (<c>*.example.com</c>, which does not match <c>example.com</c> itself), IP literals (<c>127.0.0.1</c>, which
/// also allow that address when it is not public) and <c>*</c> for any host. Names compare case-insensitively.
/// </summary>
public sealed class HostAllowlist(IEnumerable<string> entries)
{
    private readonly string[] patterns = [.. entries.Select(e => e.Trim().TrimEnd('.').ToLowerInvariant()).Where(e => e.Length > 0)];

    /// <summary>Whether a request may be sent to <paramref name="host"/> at all.</summary>
    public bool AllowsHost(string host)
    {
        var name = host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(name, out var literal))
        {
            return ListsAddress(literal) || patterns.Contains("*");
        }
        return patterns.Any(p =>
            p == "*"
            || p == name
            || (p.StartsWith("*.", StringComparison.Ordinal) && name.EndsWith(p[1..], StringComparison.Ordinal)));
    }

    /// <summary>Whether <paramref name="address"/> is listed as an IP literal.</summary>
    public bool ListsAddress(IPAddress address)
    {
        var canonical = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return patterns.Any(p => IPAddress.TryParse(p.Trim('[', ']'), out var listed)
            && (listed.IsIPv4MappedToIPv6 ? listed.MapToIPv4() : listed).Equals(canonical));
    }
}

/// <summary>Where <c>http.fetch</c> connects for a resolved name.</summary>
public static class FetchTarget
{
    /// <summary>
    /// The address to connect to, or null with the reason when the name may not be reached: every address the
    /// name resolves to must pass <see cref="AddressRules.Refusal"/>, so one private answer among public ones
    /// refuses the name (DNS rebinding cannot slip a private address in).
    /// </summary>
    public static IPAddress? Choose(IReadOnlyList<IPAddress> addresses, HostAllowlist allowlist, out string? refusal)
    {
        if (addresses.Count == 0)
        {
            refusal = "the name resolves to no address";
            return null;
        }
        foreach (var address in addresses)
        {
            if (AddressRules.Refusal(address, allowlist) is { } reason)
            {
                refusal = reason;
                return null;
            }
        }
        refusal = null;
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
    }
}
