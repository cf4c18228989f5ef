using System.Globalization;
using Mesh.Policy.Domain;

namespace Mesh.Policy.Tests.Conformance;

/// <summary>
/// Runs one conformance test the way OpenFGA's own runner does: one store per test; per stage, write the
/// model, write the tuples in chunks of 40, then assert every check, list-objects and list-users expectation
/// (error codes included), and that every listed object or user also checks as allowed. Independent of how
/// the API is reached.
/// </summary>
public static class ConformanceRunner
{
    private const int WriteChunkSize = 40;

    /// <summary>
    /// Runs the test and returns its failures (empty when it passes). With <paramref name="stageTuplesAsContext"/>
    /// the stage's tuples are not written but sent as contextual tuples with every query, as OpenFGA's
    /// <c>_ctxTuples</c> variant does.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(
        IAuthorizationApi api,
        ConformanceTest test,
        bool stageTuplesAsContext,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(test);
        var failures = new List<string>();
        var storeId = await api.CreateStoreAsync(test.Name, cancellationToken);
        for (var stageIndex = 0; stageIndex < test.Stages.Count; stageIndex++)
        {
            var stage = test.Stages[stageIndex];
            var context = new StageContext(api, storeId, $"stage {stageIndex.ToString(CultureInfo.InvariantCulture)}", failures, cancellationToken);
            try
            {
                context.ModelId = await api.WriteAuthorizationModelAsync(storeId, DslParser.Parse(stage.Model), cancellationToken);
                var tuples = stage.Tuples.Select(t => t.ToKey()).ToList();
                if (stageTuplesAsContext)
                {
                    context.ExtraContextualTuples = tuples;
                }
                else
                {
                    foreach (var chunk in tuples.Chunk(WriteChunkSize))
                    {
                        await api.WriteTuplesAsync(storeId, context.ModelId, chunk, cancellationToken);
                    }
                }
            }
            catch (Exception e) when (e is AuthorizationException or DslSyntaxException)
            {
                failures.Add($"{context.Stage}: setup failed: {e.Message}");
                return failures;
            }

            for (var i = 0; i < stage.CheckAssertions.Count; i++)
            {
                await context.AssertCheckAsync(i, stage.CheckAssertions[i]);
            }

            for (var i = 0; i < stage.ListObjectsAssertions.Count; i++)
            {
                await context.AssertListObjectsAsync(i, stage.ListObjectsAssertions[i]);
            }

            for (var i = 0; i < stage.ListUsersAssertions.Count; i++)
            {
                await context.AssertListUsersAsync(i, stage.ListUsersAssertions[i]);
            }
        }

        return failures;
    }

    private sealed class StageContext(IAuthorizationApi api, string storeId, string stage, List<string> failures, CancellationToken cancellationToken)
    {
        public string Stage => stage;

        public string ModelId { get; set; } = string.Empty;

        public IReadOnlyList<TupleKey> ExtraContextualTuples { get; set; } = [];

        public async Task AssertCheckAsync(int index, CheckAssertion assertion)
        {
            var request = new CheckRequest(assertion.Tuple.ToKey(), Contextual(assertion.ContextualTuples));
            var where = $"{stage} check {index.ToString(CultureInfo.InvariantCulture)} ({request.TupleKey})";
            var allowed = await CallAsync(where, assertion.ErrorCode, () => api.CheckAsync(storeId, ModelId, request, cancellationToken));
            if (allowed.Succeeded && allowed.Value != assertion.Expectation)
            {
                failures.Add($"{where}: expected allowed={assertion.Expectation} but got allowed={allowed.Value}");
            }
        }

        public async Task AssertListObjectsAsync(int index, ListObjectsAssertion assertion)
        {
            var query = assertion.Request;
            var contextual = Contextual(assertion.ContextualTuples);
            var request = new ListObjectsRequest(query.Type, query.Relation, query.User, contextual);
            var where = $"{stage} list-objects {index.ToString(CultureInfo.InvariantCulture)} ({query.Type}#{query.Relation} for {query.User})";
            var objects = await CallAsync(where, assertion.ErrorCode, () => api.ListObjectsAsync(storeId, ModelId, request, cancellationToken));
            if (!objects.Succeeded)
            {
                return;
            }

            ExpectSameElements(where, assertion.Expectation ?? [], objects.Value!);
            foreach (var listed in objects.Value!)
            {
                await ExpectAllowedAsync(where, new TupleKey(listed, query.Relation, query.User), contextual);
            }
        }

        public async Task AssertListUsersAsync(int index, ListUsersAssertion assertion)
        {
            var query = assertion.Request;
            var contextual = Contextual(assertion.ContextualTuples);
            var request = new ListUsersRequest(query.ObjectName, query.Relation, query.Filters.Select(UserTypeFilter.Parse).ToList(), contextual);
            var where = $"{stage} list-users {index.ToString(CultureInfo.InvariantCulture)} ({query.ObjectName}#{query.Relation} for {string.Join(", ", query.Filters)})";
            var users = await CallAsync(where, assertion.ErrorCode, () => api.ListUsersAsync(storeId, ModelId, request, cancellationToken));
            if (!users.Succeeded)
            {
                return;
            }

            ExpectSameElements(where, assertion.Expectation ?? [], users.Value!);
            foreach (var listed in users.Value!)
            {
                await ExpectAllowedAsync(where, new TupleKey(query.ObjectName, query.Relation, listed), contextual);
            }
        }

        private List<TupleKey> Contextual(List<YamlTuple> assertionTuples) =>
            [.. assertionTuples.Select(t => t.ToKey()), .. ExtraContextualTuples];

        private async Task ExpectAllowedAsync(string where, TupleKey tuple, IReadOnlyList<TupleKey> contextual)
        {
            var allowed = await CallAsync($"{where}, confirming check {tuple}", 0, () => api.CheckAsync(storeId, ModelId, new CheckRequest(tuple, contextual), cancellationToken));
            if (allowed.Succeeded && !allowed.Value)
            {
                failures.Add($"{where}: listed '{tuple}' but its check is not allowed");
            }
        }

        private void ExpectSameElements(string where, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
        {
            var missing = expected.Order(StringComparer.Ordinal).ToList();
            var unexpected = new List<string>();
            foreach (var item in actual)
            {
                if (!missing.Remove(item))
                {
                    unexpected.Add(item);
                }
            }

            if (missing.Count > 0 || unexpected.Count > 0)
            {
                failures.Add($"{where}: expected [{string.Join(", ", expected)}] but got [{string.Join(", ", actual)}]");
            }
        }

        /// <summary>Calls the API and checks the error expectation; the value is only usable when no error was expected and none occurred.</summary>
        private async Task<(bool Succeeded, T? Value)> CallAsync<T>(string where, int expectedErrorCode, Func<Task<T>> call)
        {
            try
            {
                var value = await call();
                if (expectedErrorCode != 0)
                {
                    failures.Add($"{where}: expected error {expectedErrorCode.ToString(CultureInfo.InvariantCulture)} but the call succeeded with {Describe(value)}");
                    return (false, default);
                }

                return (true, value);
            }
            catch (AuthorizationException e)
            {
                if ((int)e.Code != expectedErrorCode)
                {
                    var expected = expectedErrorCode == 0 ? "success" : $"error {expectedErrorCode.ToString(CultureInfo.InvariantCulture)}";
                    failures.Add($"{where}: expected {expected} but got error {((int)e.Code).ToString(CultureInfo.InvariantCulture)}: {e.Message}");
                }

                return (false, default);
            }
        }

        private static string Describe<T>(T value) => value is IEnumerable<string> items ? $"[{string.Join(", ", items)}]" : $"{value}";
    }
}
