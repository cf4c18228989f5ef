using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class DslParserTests
{
    [Test]
    public void Default_model_from_the_architecture_parses_into_its_rewrites()
    {
        var model = DslParser.Parse(DefaultAuthorizationModel.Dsl);

        var tenant = Relations(model, "tenant");
        var tool = Relations(model, "tool");
        var session = Relations(model, "session");
        Assert.Multiple(() =>
        {
            Assert.That(model.SchemaVersion, Is.EqualTo("1.1"));
            Assert.That(model.TypeDefinitions.Select(t => t.Type), Is.EqualTo(new[] { "user", "tenant", "tool", "session" }));
            Assert.That(Relations(model, "user"), Is.Empty);
            Assert.That(tenant["member"].Rewrite, Is.InstanceOf<UnionUserset>());
            Assert.That(((UnionUserset)tenant["member"].Rewrite).Children, Is.EqualTo(new Userset[] { new DirectUserset(), new ComputedUserset("admin") }));
            Assert.That(tenant["member"].DirectlyRelatedUserTypes, Is.EqualTo(new[] { new RelationReference("user") }));
            Assert.That(tool["executor"].DirectlyRelatedUserTypes, Is.EqualTo(new[] { new RelationReference("user"), new RelationReference("tenant", "member") }));
            Assert.That(tool["can_execute"].Rewrite, Is.EqualTo(new ComputedUserset("executor")));
            Assert.That(((UnionUserset)session["viewer"].Rewrite).Children, Is.EqualTo(new Userset[] { new ComputedUserset("owner"), new TupleToUserset("tenant", "admin") }));
            Assert.That(session["viewer"].DirectlyRelatedUserTypes, Is.Empty);
        });
    }

    [Test]
    public void Parentheses_group_operators_and_a_direct_assignment_may_open_a_group()
    {
        var model = DslParser.Parse("""
            model
              schema 1.1
            type user
            type doc
              relations
                define a: [user]
                define b: [user]
                define c: ([user] or a) and (b but not a)
            """);

        var rewrite = Relations(model, "doc")["c"].Rewrite;

        Assert.That(rewrite, Is.EqualTo(new IntersectionUserset([
            new UnionUserset([new DirectUserset(), new ComputedUserset("a")]),
            new DifferenceUserset(new ComputedUserset("b"), new ComputedUserset("a")),
        ])).Using<Userset>(UsersetsEqual));
    }

    [Test]
    public void Wildcards_usersets_conditions_and_multi_line_restrictions_are_read()
    {
        var model = DslParser.Parse("""
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user]
            type doc
              relations
                define viewer: [
                  user,
                  user:*,
                  group#member,
                  user with in_region
                ]
            condition in_region(region: string, allowed: list<string>) {
              region in allowed && "}" != region
            }
            """);

        var condition = model.Conditions.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Relations(model, "doc")["viewer"].DirectlyRelatedUserTypes, Is.EqualTo(new[]
            {
                new RelationReference("user"),
                new RelationReference("user", Wildcard: true),
                new RelationReference("group", "member"),
                new RelationReference("user", Condition: "in_region"),
            }));
            Assert.That(condition.Name, Is.EqualTo("in_region"));
            Assert.That(condition.Expression, Is.EqualTo("region in allowed && \"}\" != region"));
            Assert.That(condition.Parameters.Select(p => p.Name), Is.EqualTo(new[] { "region", "allowed" }));
            Assert.That(condition.Parameters[0].Type.TypeName, Is.EqualTo("TYPE_NAME_STRING"));
            Assert.That(condition.Parameters[1].Type.TypeName, Is.EqualTo("TYPE_NAME_LIST"));
            Assert.That(condition.Parameters[1].Type.GenericTypes.Single().TypeName, Is.EqualTo("TYPE_NAME_STRING"));
        });
    }

    [Test]
    public void Comments_on_their_own_line_and_after_code_are_ignored()
    {
        var model = DslParser.Parse("""
            # the mesh model
            model
              schema 1.1 # version
            type user
            # documents
            type doc
              relations
                define viewer: [user] # readers
            """);

        Assert.That(Relations(model, "doc")["viewer"].DirectlyRelatedUserTypes, Is.EqualTo(new[] { new RelationReference("user") }));
    }

    [Test]
    public void Syntax_error_names_its_line_and_column()
    {
        var error = Assert.Throws<DslSyntaxException>(() => DslParser.Parse("""
            model
              schema 1.1
            type user
            type doc
              relations
                define viewer [user]
            """));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Line, Is.EqualTo(6));
            Assert.That(error.Column, Is.EqualTo(19));
            Assert.That(error.Message, Does.StartWith("line 6, column 19:").And.Contain("':'"));
        });
    }

    [TestCase("define c: a or b and d", "'and' cannot follow a different operator")]
    [TestCase("define c: a but not b but not d", "'but' cannot follow a different operator")]
    [TestCase("define c: a or [user]", "may only open a definition")]
    [TestCase("define a: [user]", "'a' is already defined in 'doc'")]
    [TestCase("define c: a from", "expected the tupleset relation")]
    public void Invalid_definitions_are_rejected_on_their_line(string definition, string reason)
    {
        var dsl = $"""
            model
              schema 1.1
            type user
            type doc
              relations
                define a: [user]
                define b: [user]
                define d: [user]
                {definition}
            """;

        var error = Assert.Throws<DslSyntaxException>(() => DslParser.Parse(dsl));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Line, Is.EqualTo(9));
            Assert.That(error.Reason, Does.Contain(reason));
        });
    }

    [Test]
    public void Model_without_header_is_rejected_at_the_first_line()
    {
        var error = Assert.Throws<DslSyntaxException>(() => DslParser.Parse("type user\n"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Line, Is.EqualTo(1));
            Assert.That(error.Reason, Does.Contain("expected 'model'"));
        });
    }

    private static Dictionary<string, RelationDefinition> Relations(AuthorizationModel model, string type) =>
        model.TypeDefinitions.Single(t => t.Type == type).Relations.ToDictionary(r => r.Name);

    private static bool UsersetsEqual(Userset left, Userset right) => (left, right) switch
    {
        (UnionUserset a, UnionUserset b) => a.Children.Count == b.Children.Count && a.Children.Zip(b.Children).All(p => UsersetsEqual(p.First, p.Second)),
        (IntersectionUserset a, IntersectionUserset b) => a.Children.Count == b.Children.Count && a.Children.Zip(b.Children).All(p => UsersetsEqual(p.First, p.Second)),
        (DifferenceUserset a, DifferenceUserset b) => UsersetsEqual(a.Base, b.Base) && UsersetsEqual(a.Subtract, b.Subtract),
        _ => left.Equals(right),
    };
}
