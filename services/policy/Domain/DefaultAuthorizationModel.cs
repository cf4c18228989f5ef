namespace Mesh.Policy.Domain;

/// <summary>The mesh's default authorization model (architecture contract); extend it, do not replace it.</summary>
public static class DefaultAuthorizationModel
{
    /// <summary>The model in OpenFGA's DSL.</summary>
    public const string Dsl = """
        model
          schema 1.1
        type user
        type tenant
          relations
            define admin: [user]
            define member: [user] or admin
        type tool
          relations
            define tenant: [tenant]
            define executor: [user, tenant#member]
            define can_execute: executor
        type session
          relations
            define tenant: [tenant]
            define owner: [user]
            define viewer: owner or admin from tenant
        """;

    /// <summary>The parsed and validated model.</summary>
    public static TypeSystem Create() => TypeSystem.Create(DslParser.Parse(Dsl));
}
