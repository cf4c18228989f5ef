using Mesh.Policy.Domain;
using NUnit.Framework;

namespace Mesh.Policy.Tests;

public sealed class AuthorizationEvaluatorTests
{
    private static readonly TypeSystem DefaultModel = DefaultAuthorizationModel.Create();

    private static readonly TupleKey[] MeshTuples =
    [
        new("tenant:acme", "admin", "user:anne"),
        new("tenant:acme", "member", "user:bob"),
        new("tool:search", "tenant", "tenant:acme"),
        new("tool:search", "executor", "tenant:acme#member"),
        new("tool:shell", "executor", "user:carol"),
        new("session:s1", "tenant", "tenant:acme"),
        new("session:s1", "owner", "user:bob"),
        new("session:s2", "owner", "user:carol"),
    ];

    [Test]
    public async Task Tenant_admin_is_a_member()
    {
        var result = await CheckAsync("tenant:acme", "member", "user:anne");

        Assert.Multiple(() =>
        {
            Assert.That(result.Allowed, Is.True);
            Assert.That(result.Resolution, Is.EqualTo("tenant:acme#admin@user:anne"));
        });
    }

    [Test]
    public async Task Tool_executor_through_tenant_membership_can_execute()
    {
        var admin = await CheckAsync("tool:search", "can_execute", "user:anne");
        var member = await CheckAsync("tool:search", "can_execute", "user:bob");
        var outsider = await CheckAsync("tool:search", "can_execute", "user:carol");

        Assert.Multiple(() =>
        {
            Assert.That(admin.Allowed, Is.True);
            Assert.That(admin.Resolution, Is.EqualTo("tool:search#executor@tenant:acme#member -> tenant:acme#admin@user:anne"));
            Assert.That(member.Allowed, Is.True);
            Assert.That(outsider.Allowed, Is.False);
        });
    }

    [Test]
    public async Task Session_viewer_is_the_owner_or_an_admin_of_the_session_tenant()
    {
        var owner = await CheckAsync("session:s1", "viewer", "user:bob");
        var tenantAdmin = await CheckAsync("session:s1", "viewer", "user:anne");
        var adminOfOtherTenantSession = await CheckAsync("session:s2", "viewer", "user:anne");

        Assert.Multiple(() =>
        {
            Assert.That(owner.Allowed, Is.True);
            Assert.That(tenantAdmin.Allowed, Is.True);
            Assert.That(tenantAdmin.Resolution, Is.EqualTo("session:s1#tenant@tenant:acme -> tenant:acme#admin@user:anne"));
            Assert.That(adminOfOtherTenantSession.Allowed, Is.False);
        });
    }

    [Test]
    public async Task Unknown_user_is_denied()
    {
        var result = await CheckAsync("session:s1", "viewer", "user:mallory");

        Assert.Multiple(() =>
        {
            Assert.That(result.Allowed, Is.False);
            Assert.That(result.Resolution, Does.StartWith("denied"));
        });
    }

    [Test]
    public async Task Contextual_tuples_count_only_for_their_request()
    {
        var evaluator = new AuthorizationEvaluator(DefaultModel, new InMemoryTupleStore(MeshTuples));
        var grant = new TupleKey("tool:shell", "executor", "user:dave");

        var withContext = await evaluator.CheckAsync(new CheckRequest(new TupleKey("tool:shell", "can_execute", "user:dave"), [grant]), CancellationToken.None);
        var without = await evaluator.CheckAsync(new CheckRequest(new TupleKey("tool:shell", "can_execute", "user:dave")), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(withContext.Allowed, Is.True);
            Assert.That(without.Allowed, Is.False);
        });
    }

    [Test]
    public async Task Removed_tuple_no_longer_grants()
    {
        var store = new InMemoryTupleStore(MeshTuples);
        var evaluator = new AuthorizationEvaluator(DefaultModel, store);
        var request = new CheckRequest(new TupleKey("tenant:acme", "member", "user:anne"));
        var before = await evaluator.CheckAsync(request, CancellationToken.None);

        var removed = store.Remove(new TupleKey("tenant:acme", "admin", "user:anne"));
        var after = await evaluator.CheckAsync(request, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(before.Allowed, Is.True);
            Assert.That(removed, Is.True);
            Assert.That(after.Allowed, Is.False);
        });
    }

    [Test]
    public async Task List_objects_finds_every_session_a_tenant_admin_can_view()
    {
        var evaluator = new AuthorizationEvaluator(DefaultModel, new InMemoryTupleStore(MeshTuples));

        var sessions = await evaluator.ListObjectsAsync(new ListObjectsRequest("session", "viewer", "user:anne"), CancellationToken.None);
        var tools = await evaluator.ListObjectsAsync(new ListObjectsRequest("tool", "can_execute", "user:bob"), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(sessions, Is.EqualTo(new[] { "session:s1" }));
            Assert.That(tools, Is.EqualTo(new[] { "tool:search" }));
        });
    }

    [Test]
    public async Task List_users_finds_users_and_usersets_that_can_execute_a_tool()
    {
        var evaluator = new AuthorizationEvaluator(DefaultModel, new InMemoryTupleStore(MeshTuples));

        var users = await evaluator.ListUsersAsync(
            new ListUsersRequest("tool:search", "can_execute", [new UserTypeFilter("user")]), CancellationToken.None);
        var usersets = await evaluator.ListUsersAsync(
            new ListUsersRequest("tool:search", "can_execute", [UserTypeFilter.Parse("tenant#member")]), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(users, Is.EqualTo(new[] { "user:anne", "user:bob" }));
            Assert.That(usersets, Is.EqualTo(new[] { "tenant:acme#member" }));
        });
    }

    [Test]
    public async Task Nesting_deeper_than_the_resolution_limit_fails_as_too_complex()
    {
        var model = TypeSystem.Create(DslParser.Parse("""
            model
              schema 1.1
            type user
            type group
              relations
                define member: [user, group#member]
            """));
        var chain = Enumerable.Range(0, 30).Select(i => new TupleKey($"group:g{i}", "member", $"group:g{i + 1}#member")).ToList();
        chain.Add(new TupleKey("group:g30", "member", "user:anne"));
        var evaluator = new AuthorizationEvaluator(model, new InMemoryTupleStore(chain));

        var tooDeep = Assert.ThrowsAsync<AuthorizationException>(() =>
            evaluator.CheckAsync(new CheckRequest(new TupleKey("group:g0", "member", "user:anne")), CancellationToken.None));
        var shallow = await evaluator.CheckAsync(new CheckRequest(new TupleKey("group:g20", "member", "user:anne")), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(tooDeep!.Code, Is.EqualTo(AuthorizationErrorCode.ResolutionTooComplex));
            Assert.That(shallow.Allowed, Is.True);
        });
    }

    [Test]
    public async Task Cycle_through_the_subtracted_relation_denies_the_exclusion()
    {
        var model = TypeSystem.Create(DslParser.Parse("""
            model
              schema 1.1
            type user
            type doc
              relations
                define restricted: [user, doc#viewer]
                define viewer: [user] but not restricted
            """));
        var evaluator = new AuthorizationEvaluator(model, new InMemoryTupleStore([
            new TupleKey("doc:1", "viewer", "user:jon"),
            new TupleKey("doc:1", "restricted", "doc:1#viewer"),
        ]));

        var result = await evaluator.CheckAsync(new CheckRequest(new TupleKey("doc:1", "viewer", "user:jon")), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Allowed, Is.False);
            Assert.That(result.Resolution, Does.Contain("cycle"));
        });
    }

    [Test]
    public async Task Cycle_the_user_type_cannot_reach_does_not_deny_an_exclusion()
    {
        var model = TypeSystem.Create(DslParser.Parse("""
            model
              schema 1.1
            type user
            type employee
            type doc
              relations
                define restricted: [employee, doc#restricted]
                define viewer: [user] but not restricted
            """));
        var evaluator = new AuthorizationEvaluator(model, new InMemoryTupleStore([
            new TupleKey("doc:1", "viewer", "user:jon"),
            new TupleKey("doc:1", "restricted", "doc:2#restricted"),
            new TupleKey("doc:2", "restricted", "doc:1#restricted"),
        ]));

        var result = await evaluator.CheckAsync(new CheckRequest(new TupleKey("doc:1", "viewer", "user:jon")), CancellationToken.None);

        Assert.That(result.Allowed, Is.True);
    }

    [Test]
    public async Task Stored_tuples_that_no_longer_fit_the_model_are_ignored()
    {
        var widened = TypeSystem.Create(DslParser.Parse("model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user, user:*]\n"));
        var narrowed = TypeSystem.Create(DslParser.Parse("model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user]\n"));
        var store = new InMemoryTupleStore([new TupleKey("doc:1", "viewer", "user:*")]);
        var request = new CheckRequest(new TupleKey("doc:1", "viewer", "user:jon"));

        var before = await new AuthorizationEvaluator(widened, store).CheckAsync(request, CancellationToken.None);
        var after = await new AuthorizationEvaluator(narrowed, store).CheckAsync(request, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(before.Allowed, Is.True);
            Assert.That(after.Allowed, Is.False);
        });
    }

    [Test]
    public void Requests_naming_undefined_parts_of_the_model_fail_with_openfga_codes()
    {
        var evaluator = new AuthorizationEvaluator(DefaultModel, new InMemoryTupleStore(MeshTuples));

        var check = Assert.ThrowsAsync<AuthorizationException>(() =>
            evaluator.CheckAsync(new CheckRequest(new TupleKey("session:s1", "editor", "user:anne")), CancellationToken.None));
        var unknownType = Assert.ThrowsAsync<AuthorizationException>(() =>
            evaluator.ListObjectsAsync(new ListObjectsRequest("project", "viewer", "user:anne"), CancellationToken.None));
        var unknownRelation = Assert.ThrowsAsync<AuthorizationException>(() =>
            evaluator.ListUsersAsync(new ListUsersRequest("session:s1", "editor", [new UserTypeFilter("user")]), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(check!.Code, Is.EqualTo(AuthorizationErrorCode.ValidationError));
            Assert.That(unknownType!.Code, Is.EqualTo(AuthorizationErrorCode.TypeNotFound));
            Assert.That(unknownRelation!.Code, Is.EqualTo(AuthorizationErrorCode.RelationNotFound));
        });
    }

    private static Task<CheckResult> CheckAsync(string objectName, string relation, string user) =>
        new AuthorizationEvaluator(DefaultModel, new InMemoryTupleStore(MeshTuples))
            .CheckAsync(new CheckRequest(new TupleKey(objectName, relation, user)), CancellationToken.None);
}
