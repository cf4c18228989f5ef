using Mesh.ConversationWorker.Domain;
using Mesh.ConversationWorker.Options;
using NUnit.Framework;

namespace Mesh.ConversationWorker.Tests.Unit;

[TestFixture]
public sealed class ModelRouterTests
{
    private static readonly RoutingOptions Rules = new()
    {
        TenantTiers = new() { ["bank"] = ModelTiers.LocalPrivate, ["lab"] = ModelTiers.HighReasoning },
        PersonaTiers = new() { ["researcher"] = ModelTiers.HighReasoning, ["helpdesk"] = ModelTiers.CloudStandard },
    };

    [Test]
    public void Everything_unconfigured_goes_to_the_default_tier()
    {
        Assert.That(ModelRouter.Route(new RoutingRequest("acme", null, null), Rules), Is.EqualTo(ModelTiers.CloudStandard));
    }

    [TestCase("confidential")]
    [TestCase("Restricted")]
    [TestCase(" private ")]
    public void A_private_sensitivity_stays_local_even_for_a_high_reasoning_persona(string sensitivity)
    {
        var request = new RoutingRequest("lab", "researcher", new Dictionary<string, string> { ["sensitivity"] = sensitivity });
        Assert.That(ModelRouter.Route(request, Rules), Is.EqualTo(ModelTiers.LocalPrivate));
    }

    [Test]
    public void A_tenant_pinned_to_the_private_tier_stays_there_whatever_the_persona()
    {
        Assert.That(ModelRouter.Route(new RoutingRequest("bank", "researcher", null), Rules), Is.EqualTo(ModelTiers.LocalPrivate));
    }

    [Test]
    public void The_persona_tier_wins_over_the_tenant_tier()
    {
        Assert.That(ModelRouter.Route(new RoutingRequest("lab", "helpdesk", null), Rules), Is.EqualTo(ModelTiers.CloudStandard));
    }

    [Test]
    public void The_tenant_tier_applies_to_personas_without_one()
    {
        Assert.That(ModelRouter.Route(new RoutingRequest("lab", "writer", null), Rules), Is.EqualTo(ModelTiers.HighReasoning));
    }

    [Test]
    public void A_public_sensitivity_or_another_label_changes_nothing()
    {
        var request = new RoutingRequest("acme", "researcher", new Dictionary<string, string> { ["sensitivity"] = "public", ["private"] = "confidential" });
        Assert.That(ModelRouter.Route(request, Rules), Is.EqualTo(ModelTiers.HighReasoning));
    }

    [Test]
    public void The_private_tier_never_falls_back_to_the_shared_endpoint()
    {
        var options = new LlmOptions { BaseUrl = "https://llm.example.com/v1", Model = "gpt-x", ApiKey = "k" };
        Assert.Multiple(() =>
        {
            Assert.That(options.EndpointFor(ModelTiers.LocalPrivate), Is.Null, "offline model");
            Assert.That(options.EndpointFor(ModelTiers.CloudStandard), Is.EqualTo(new ModelEndpoint(new Uri("https://llm.example.com/v1"), "gpt-x", "k")));
        });
    }

    [Test]
    public void A_tier_of_its_own_overrides_the_shared_endpoint()
    {
        var options = new LlmOptions
        {
            BaseUrl = "https://llm.example.com/v1",
            Model = "gpt-x",
            Tiers = new()
            {
                [ModelTiers.LocalPrivate] = new ModelEndpointOptions { BaseUrl = "http://127.0.0.1:11434/v1", Model = "llama" },
                [ModelTiers.HighReasoning] = new ModelEndpointOptions { Model = "gpt-x-large" },
            },
        };
        Assert.Multiple(() =>
        {
            Assert.That(options.EndpointFor(ModelTiers.LocalPrivate), Is.EqualTo(new ModelEndpoint(new Uri("http://127.0.0.1:11434/v1"), "llama", null)));
            Assert.That(options.EndpointFor(ModelTiers.HighReasoning)!.Model, Is.EqualTo("gpt-x-large"));
            Assert.That(options.EndpointFor(ModelTiers.HighReasoning)!.BaseUrl, Is.EqualTo(new Uri("https://llm.example.com/v1")));
        });
    }

    [Test]
    public void Without_any_endpoint_every_tier_runs_offline()
    {
        var options = new LlmOptions();
        Assert.That(ModelTiers.All.Select(options.EndpointFor), Is.All.Null);
    }

    [Test]
    public void Routing_to_an_unknown_tier_is_refused_at_start()
    {
        var options = new LlmOptions { Routing = new RoutingOptions { PersonaTiers = new() { ["x"] = "tier_turbo" } } };
        Assert.That(options.Validate(), Does.Contain("tier_turbo"));
    }
}
