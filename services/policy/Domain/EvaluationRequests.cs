namespace Mesh.Policy.Domain;

/// <summary>Does <c>TupleKey.User</c> have <c>TupleKey.Relation</c> on <c>TupleKey.Object</c>, counting the contextual tuples as written?</summary>
public sealed record CheckRequest(TupleKey TupleKey, IReadOnlyList<TupleKey>? ContextualTuples = null);

/// <summary>
/// A check's answer. <paramref name="Resolution"/> explains it: for an allowed check the chain of tuples that
/// grants it (e.g. <c>doc:1#viewer@group:eng#member -&gt; group:eng#member@user:anne</c>), else why not.
/// </summary>
public sealed record CheckResult(bool Allowed, string Resolution);

/// <summary>Which objects of <paramref name="Type"/> does <paramref name="User"/> have <paramref name="Relation"/> on?</summary>
public sealed record ListObjectsRequest(string Type, string Relation, string User, IReadOnlyList<TupleKey>? ContextualTuples = null);

/// <summary>Which users matching <paramref name="UserFilters"/> have <paramref name="Relation"/> on <paramref name="Object"/>?</summary>
public sealed record ListUsersRequest(
    string Object,
    string Relation,
    IReadOnlyList<UserTypeFilter> UserFilters,
    IReadOnlyList<TupleKey>? ContextualTuples = null);
