using System.Text.Json.Nodes;
using Mesh.Contracts.Delegation;
using Mesh.Delegation.Domain;
using Mesh.Delegation.Options;
using Mesh.Delegation.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Delegation.External;

/// <summary>
/// Runs a forwarded execution on the external executor: submits it (once; a resumed execution that already has an
/// external id is only polled), polls its status until it is terminal or the time budget (else
/// <see cref="RomaOptions.MaxDuration"/>) runs out, and fetches the result of a completed one. Every failure ends the
/// execution as failed with the failure's code; a deadline also cancels the remote execution.
/// </summary>
public sealed class RomaRunner(RomaClient client, IOptions<RomaOptions> options, TimeProvider time, ILogger<RomaRunner> logger)
{
    private readonly RomaOptions settings = options.Value;

    public async Task<Outcome> RunAsync(ExecutionRecord execution, Func<string, Task> started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        ArgumentNullException.ThrowIfNull(started);
        var externalId = execution.ExternalId;
        var deadline = execution.Deadline ?? execution.CreatedAt + settings.MaxDuration;
        try
        {
            if (externalId is null)
            {
                externalId = await client.SubmitAsync(Request(execution), cancellationToken);
                await started(externalId);
            }

            while (true)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    await CancelRemoteAsync(externalId);
                    return execution.Deadline is null
                        ? Outcome.Failed(ErrorCodes.ExternalTimeout, $"The external execution did not finish within {settings.MaxDuration}.")
                        : Outcome.Failed(ErrorCodes.TimeBudgetExhausted, "The execution's time budget ran out.");
                }

                var status = await client.StatusAsync(externalId, cancellationToken);
                switch (status.Status)
                {
                    case DelegationStatus.Completed:
                        var detail = await client.DetailAsync(externalId, cancellationToken);
                        return RomaClient.ResultOf(detail) is { } result
                            ? Outcome.Completed(result)
                            : Outcome.Failed(ErrorCodes.ExternalProtocolError, "The external execution completed without a result.");
                    case DelegationStatus.Failed:
                        return Outcome.Failed(ErrorCodes.ExternalFailed, $"The external execution ended {status.RemoteStatus}.");
                    case DelegationStatus.Cancelled:
                        return Outcome.Cancelled(ErrorCodes.ExternalCancelled, $"The external execution ended {status.RemoteStatus}.");
                }

                var wait = TimeSpan.FromTicks(Math.Min(settings.PollInterval.Ticks, Math.Max(0, (deadline - time.GetUtcNow()).Ticks)));
                await Task.Delay(wait, time, cancellationToken);
            }
        }
        catch (RomaException e)
        {
            Log.ExternalFailed(logger, execution.Id, e.Code, e.Message);
            if (externalId is not null && e.Code == ErrorCodes.ExternalTimeout)
            {
                await CancelRemoteAsync(externalId);
            }

            return Outcome.Failed(e.Code, e.Message);
        }
    }

    /// <summary>Asks the external executor to stop; a failure is logged, never thrown (the mesh side has ended already).</summary>
    public async Task CancelRemoteAsync(string externalId)
    {
        try
        {
            await client.CancelAsync(externalId, CancellationToken.None);
        }
        catch (RomaException e)
        {
            Log.ExternalCancelFailed(logger, externalId, e.Message);
        }
    }

    private static JsonObject Request(ExecutionRecord execution)
    {
        var metadata = JsonNode.Parse(execution.MetadataJson) as JsonObject ?? [];
        metadata["mesh_execution_id"] = execution.Id.ToString("D");
        metadata["mesh_tenant_id"] = execution.TenantId;
        return new JsonObject
        {
            ["goal"] = execution.Goal,
            ["max_depth"] = execution.MaxDepth,
            ["config_profile"] = execution.ConfigProfile,
            ["metadata"] = metadata,
        };
    }
}
