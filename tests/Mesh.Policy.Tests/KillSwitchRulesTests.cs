using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class KillSwitchRulesTests
{
    private static readonly KillSwitch Mesh = new(KillSwitchScope.Mesh, null, null, "drill");
    private static readonly KillSwitch AcmeTenant = new(KillSwitchScope.Tenant, "acme", null, "incident");
    private static readonly KillSwitch SearchEverywhere = new(KillSwitchScope.Tool, null, "search.web", "costs");
    private static readonly KillSwitch EchoAtAcme = new(KillSwitchScope.Tool, "acme", "echo", "abuse");

    [Test]
    public void Mesh_switch_stops_every_tool_of_every_tenant()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KillSwitchRules.FindStopping([Mesh], "acme", "can_execute", "tool:echo"), Is.EqualTo(Mesh));
            Assert.That(KillSwitchRules.FindStopping([Mesh], "globex", "can_execute", "tool:anything"), Is.EqualTo(Mesh));
        });
    }

    [Test]
    public void Tenant_switch_stops_only_that_tenants_tools()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KillSwitchRules.FindStopping([AcmeTenant], "acme", "can_execute", "tool:echo"), Is.EqualTo(AcmeTenant));
            Assert.That(KillSwitchRules.FindStopping([AcmeTenant], "globex", "can_execute", "tool:echo"), Is.Null);
        });
    }

    [Test]
    public void Tool_switch_stops_that_tool_in_its_tenant_or_everywhere_when_it_names_none()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KillSwitchRules.FindStopping([SearchEverywhere], "globex", "can_execute", "tool:search.web"), Is.EqualTo(SearchEverywhere));
            Assert.That(KillSwitchRules.FindStopping([SearchEverywhere], "globex", "can_execute", "tool:search"), Is.Null);
            Assert.That(KillSwitchRules.FindStopping([EchoAtAcme], "acme", "can_execute", "tool:echo"), Is.EqualTo(EchoAtAcme));
            Assert.That(KillSwitchRules.FindStopping([EchoAtAcme], "globex", "can_execute", "tool:echo"), Is.Null);
        });
    }

    [Test]
    public void Switches_only_answer_can_execute_checks_on_tools()
    {
        Assert.Multiple(() =>
        {
            Assert.That(KillSwitchRules.FindStopping([Mesh], "acme", "executor", "tool:echo"), Is.Null);
            Assert.That(KillSwitchRules.FindStopping([Mesh], "acme", "can_execute", "session:s1"), Is.Null);
            Assert.That(KillSwitchRules.FindStopping([], "acme", "can_execute", "tool:echo"), Is.Null);
        });
    }
}
