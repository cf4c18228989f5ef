using Mesh.Contracts.Common;
using Mesh.Contracts.Policy;
using Mesh.Policy.Authorization;
using Mesh.Policy.Domain;
using Mesh.Policy.KillSwitches;
using Mesh.Policy.OpenFga;
using Mesh.Policy.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Mesh.Policy.Decisions;

/// <summary>A /v1/check question, already validated for form.</summary>
public sealed record DecisionRequest(string TenantId, TupleKey Tuple, IReadOnlyList<TupleKey> ContextualTuples, Guid? RequestId, Guid? SessionId);

/// <summary>The answer: allowed only when <see cref="Reason"/> is <c>allowed</c>.</summary>
public sealed record DecisionResult(Guid DecisionId, bool Allowed, string Reason, PolicySource Source);

/// <summary>
/// Decides /v1/check questions, failing closed: an engaged kill switch, an unknown kill-switch state, a
/// timeout, an unreachable store or server, or any evaluation failure is a denial with its reason. Only bad
/// input is not a decision (an <see cref="AuthorizationException"/> for a 400). Every decision is measured
/// and audited.
/// </summary>
public sealed class DecisionService(
    ITenantAuthorization authorization,
    KillSwitchCache killSwitches,
    DecisionRecorder recorder,
    PolicyMetrics metrics,
    IOptions<PolicyOptions> options,
    TimeProvider time,
    ILogger<DecisionService> logger)
{
    public async Task<DecisionResult> DecideAsync(DecisionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var (allowed, reason) = await EvaluateAsync(request, cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        var decision = new PolicyDecision(
            TimeOrderedIds.NewId(), request.TenantId, request.Tuple.User, request.Tuple.Relation, request.Tuple.Object,
            allowed, reason, authorization.Source, elapsed.TotalMilliseconds, time.GetUtcNow(), request.RequestId, request.SessionId);
        metrics.RecordDecision(request.Tuple.Relation, allowed, elapsed);
        if (!await recorder.TryEnqueueAsync(decision, cancellationToken))
        {
            Log.DecisionNotAudited(logger, decision.DecisionId);
        }

        return new DecisionResult(decision.DecisionId, allowed, reason, authorization.Source);
    }

    private async Task<(bool Allowed, string Reason)> EvaluateAsync(DecisionRequest request, CancellationToken cancellationToken)
    {
        if (killSwitches.Engaged is not { } engaged)
        {
            return (false, DecisionReasons.PolicyUnavailable);
        }

        if (KillSwitchRules.FindStopping(engaged, request.TenantId, request.Tuple.Relation, request.Tuple.Object) is not null)
        {
            return (false, DecisionReasons.KillSwitch);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.EvaluationTimeout);
        try
        {
            var result = await authorization.CheckAsync(request.TenantId, new CheckRequest(request.Tuple, request.ContextualTuples), deadline.Token);
            return result.Allowed ? (true, DecisionReasons.Allowed) : (false, DecisionReasons.NoRelation);
        }
        catch (AuthorizationException e) when (e.Code == AuthorizationErrorCode.ResolutionTooComplex)
        {
            return (false, DecisionReasons.ResolutionTooComplex);
        }
        catch (AuthorizationException e) when (e.Code is AuthorizationErrorCode.LatestAuthorizationModelNotFound or AuthorizationErrorCode.AuthorizationModelNotFound)
        {
            return (false, DecisionReasons.NoModel);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, DecisionReasons.Timeout);
        }
        catch (OpenFgaException e)
        {
            Log.EvaluationFailed(logger, request.TenantId, e.Message);
            return (false, e.Failure == OpenFgaFailure.Timeout ? DecisionReasons.Timeout : DecisionReasons.PolicyUnavailable);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Log.EvaluationFailed(logger, request.TenantId, e.Message);
            return (false, DecisionReasons.PolicyUnavailable);
        }
        catch (Exception e) when (e is not AuthorizationException and not OperationCanceledException)
        {
            Log.EvaluationFailed(logger, request.TenantId, e.ToString());
            return (false, DecisionReasons.EvaluationError);
        }
    }
}
