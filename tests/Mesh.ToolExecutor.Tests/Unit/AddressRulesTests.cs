using System.Net;
using Mesh.ToolExecutor.Domain;
using NUnit.Framework;

namespace Mesh.ToolExecutor.Tests.Unit;

public sealed class AddressRulesTests
{
    [TestCase("93.184.216.34", AddressKind.Public)]
    [TestCase("2606:2800:220:1:248:1893:25c8:1946", AddressKind.Public)]
    [TestCase("127.0.0.1", AddressKind.Loopback)]
    [TestCase("127.200.0.9", AddressKind.Loopback)]
    [TestCase("::1", AddressKind.Loopback)]
    [TestCase("::ffff:127.0.0.1", AddressKind.Loopback)]
    [TestCase("10.1.2.3", AddressKind.Private)]
    [TestCase("172.16.0.1", AddressKind.Private)]
    [TestCase("172.31.255.255", AddressKind.Private)]
    [TestCase("172.32.0.1", AddressKind.Public)]
    [TestCase("192.168.1.1", AddressKind.Private)]
    [TestCase("100.64.0.1", AddressKind.Private)]
    [TestCase("fd12:3456::1", AddressKind.Private)]
    [TestCase("169.254.1.1", AddressKind.LinkLocal)]
    [TestCase("fe80::1", AddressKind.LinkLocal)]
    [TestCase("169.254.169.254", AddressKind.Metadata)]
    [TestCase("::ffff:169.254.169.254", AddressKind.Metadata)]
    [TestCase("fd00:ec2::254", AddressKind.Metadata)]
    [TestCase("100.100.100.200", AddressKind.Metadata)]
    [TestCase("0.0.0.0", AddressKind.Reserved)]
    [TestCase("::", AddressKind.Reserved)]
    [TestCase("224.0.0.1", AddressKind.Reserved)]
    [TestCase("255.255.255.255", AddressKind.Reserved)]
    public void Classifies_addresses(string address, AddressKind expected) =>
        Assert.That(AddressRules.Classify(IPAddress.Parse(address)), Is.EqualTo(expected));

    [Test]
    public void Public_addresses_pass_and_non_public_ones_pass_only_when_listed_as_literals()
    {
        var allowlist = new HostAllowlist(["example.com", "127.0.0.1", "10.0.0.5"]);
        Assert.Multiple(() =>
        {
            Assert.That(AddressRules.Refusal(IPAddress.Parse("93.184.216.34"), allowlist), Is.Null);
            Assert.That(AddressRules.Refusal(IPAddress.Parse("127.0.0.1"), allowlist), Is.Null);
            Assert.That(AddressRules.Refusal(IPAddress.Parse("::ffff:127.0.0.1"), allowlist), Is.Null);
            Assert.That(AddressRules.Refusal(IPAddress.Parse("10.0.0.5"), allowlist), Is.Null);
            Assert.That(AddressRules.Refusal(IPAddress.Parse("127.0.0.2"), allowlist), Does.Contain("loopback"));
            Assert.That(AddressRules.Refusal(IPAddress.Parse("10.0.0.6"), allowlist), Does.Contain("private"));
            Assert.That(AddressRules.Refusal(IPAddress.Parse("fe80::1"), allowlist), Does.Contain("link-local"));
        });
    }

    [Test]
    public void Metadata_endpoints_are_refused_even_when_listed()
    {
        var allowlist = new HostAllowlist(["169.254.169.254", "*"]);
        Assert.That(AddressRules.Refusal(IPAddress.Parse("169.254.169.254"), allowlist), Does.Contain("metadata"));
    }

    [TestCase("example.com", true)]
    [TestCase("EXAMPLE.com.", true)]
    [TestCase("api.example.com", false)]
    [TestCase("docs.wiki.org", true)]
    [TestCase("wiki.org", false)]
    [TestCase("evil-wiki.org", false)]
    [TestCase("127.0.0.1", true)]
    [TestCase("127.0.0.2", false)]
    [TestCase("example.org", false)]
    public void Host_allowlist_matches_exact_names_wildcard_subdomains_and_literals(string host, bool allowed) =>
        Assert.That(new HostAllowlist(["example.com", "*.wiki.org", "127.0.0.1"]).AllowsHost(host), Is.EqualTo(allowed));

    [Test]
    public void An_empty_allowlist_allows_nothing_and_a_star_allows_any_name() =>
        Assert.Multiple(() =>
        {
            Assert.That(new HostAllowlist([]).AllowsHost("example.com"), Is.False);
            Assert.That(new HostAllowlist(["*"]).AllowsHost("anything.example"), Is.True);
        });

    [Test]
    public void A_name_resolving_to_a_private_address_among_public_ones_is_refused()
    {
        var allowlist = new HostAllowlist(["*"]);
        var chosen = FetchTarget.Choose([IPAddress.Parse("93.184.216.34"), IPAddress.Parse("10.0.0.1")], allowlist, out var refusal);
        Assert.Multiple(() =>
        {
            Assert.That(chosen, Is.Null);
            Assert.That(refusal, Does.Contain("10.0.0.1").And.Contain("private"));
        });
    }

    [Test]
    public void A_name_resolving_to_the_metadata_address_is_refused()
    {
        var chosen = FetchTarget.Choose([IPAddress.Parse("169.254.169.254")], new HostAllowlist(["metadata.internal"]), out var refusal);
        Assert.Multiple(() =>
        {
            Assert.That(chosen, Is.Null);
            Assert.That(refusal, Does.Contain("metadata"));
        });
    }

    [Test]
    public void Public_names_connect_preferring_ipv4()
    {
        var chosen = FetchTarget.Choose(
            [IPAddress.Parse("2606:2800:220:1:248:1893:25c8:1946"), IPAddress.Parse("93.184.216.34")], new HostAllowlist(["*"]), out var refusal);
        Assert.Multiple(() =>
        {
            Assert.That(chosen, Is.EqualTo(IPAddress.Parse("93.184.216.34")));
            Assert.That(refusal, Is.Null);
        });
    }

    [Test]
    public void A_name_that_resolves_to_nothing_is_refused() =>
        Assert.That(FetchTarget.Choose([], new HostAllowlist(["*"]), out _), Is.Null);
}
