using System.Text.Json;
using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class AuthorizationModelJsonTests
{
    private const string Dsl = """
        model
          schema 1.1
        type user
        type folder
          relations
            define viewer: [user, user:*]
        type doc
          relations
            define parent: [folder]
            define blocked: [user with in_region]
            define editor: [user, folder#viewer]
            define viewer: (editor or viewer from parent) but not blocked
            define auditor: editor and viewer
        condition in_region(region: string, tags: map<string>) {
          region == "eu"
        }
        """;

    [Test]
    public void Model_round_trips_through_json_unchanged()
    {
        var json = AuthorizationModelJson.Serialize(DslParser.Parse(Dsl));

        var again = AuthorizationModelJson.Serialize(AuthorizationModelJson.Parse(json));

        Assert.That(again, Is.EqualTo(json));
    }

    [Test]
    public void Json_uses_the_field_names_of_openfga_write_authorization_model()
    {
        using var document = JsonDocument.Parse(AuthorizationModelJson.Serialize(DslParser.Parse(Dsl)));
        var root = document.RootElement;
        var doc = root.GetProperty("type_definitions")[2];
        var viewer = doc.GetProperty("relations").GetProperty("viewer").GetProperty("difference");
        var union = viewer.GetProperty("base").GetProperty("union").GetProperty("child");

        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("schema_version").GetString(), Is.EqualTo("1.1"));
            Assert.That(doc.GetProperty("type").GetString(), Is.EqualTo("doc"));
            Assert.That(union[0].GetProperty("computedUserset").GetProperty("relation").GetString(), Is.EqualTo("editor"));
            Assert.That(union[1].GetProperty("tupleToUserset").GetProperty("tupleset").GetProperty("relation").GetString(), Is.EqualTo("parent"));
            Assert.That(union[1].GetProperty("tupleToUserset").GetProperty("computedUserset").GetProperty("relation").GetString(), Is.EqualTo("viewer"));
            Assert.That(viewer.GetProperty("subtract").GetProperty("computedUserset").GetProperty("relation").GetString(), Is.EqualTo("blocked"));
            Assert.That(
                doc.GetProperty("metadata").GetProperty("relations").GetProperty("editor").GetProperty("directly_related_user_types")[1].GetProperty("relation").GetString(),
                Is.EqualTo("viewer"));
            Assert.That(
                doc.GetProperty("metadata").GetProperty("relations").GetProperty("blocked").GetProperty("directly_related_user_types")[0].GetProperty("condition").GetString(),
                Is.EqualTo("in_region"));
            Assert.That(
                root.GetProperty("conditions").GetProperty("in_region").GetProperty("parameters").GetProperty("tags").GetProperty("generic_types")[0].GetProperty("type_name").GetString(),
                Is.EqualTo("TYPE_NAME_STRING"));
        });
    }

    [Test]
    public void Camel_case_field_names_are_accepted_as_openfga_accepts_them()
    {
        var model = AuthorizationModelJson.Parse("""
            {
              "schemaVersion": "1.1",
              "typeDefinitions": [
                { "type": "user" },
                {
                  "type": "doc",
                  "relations": { "viewer": { "this": {} }, "reader": { "computed_userset": { "relation": "viewer" } } },
                  "metadata": { "relations": { "viewer": { "directlyRelatedUserTypes": [ { "type": "user", "wildcard": {} } ] } } }
                }
              ]
            }
            """);

        var doc = model.TypeDefinitions[1];
        Assert.Multiple(() =>
        {
            Assert.That(model.SchemaVersion, Is.EqualTo("1.1"));
            Assert.That(doc.Relations[0].DirectlyRelatedUserTypes.Single(), Is.EqualTo(new RelationReference("user", Wildcard: true)));
            Assert.That(doc.Relations[1].Rewrite, Is.EqualTo(new ComputedUserset("viewer")));
            Assert.That(doc.Relations[1].DirectlyRelatedUserTypes, Is.Empty);
        });
    }

    [TestCase("not json")]
    [TestCase("""{ "schema_version": "1.1", "type_definitions": [ { "type": "doc", "relations": { "viewer": { "owner": {} } } } ] }""")]
    [TestCase("""{ "schema_version": "1.1", "type_definitions": [ { "relations": {} } ] }""")]
    public void Json_that_is_not_a_model_is_an_invalid_model(string json)
    {
        var error = Assert.Throws<AuthorizationException>(() => AuthorizationModelJson.Parse(json));

        Assert.That(error!.Code, Is.EqualTo(AuthorizationErrorCode.InvalidAuthorizationModel));
    }
}
