using Mesh.Contracts.Delegation;

namespace Mesh.Delegation.Domain;

/// <summary>
/// Wire names of execution and task statuses, and the job-state mapping of architecture.md:
/// pending→pending, running→in_progress, completed→completed, failed→failed, cancelled→interrupted.
/// </summary>
public static class Statuses
{
    public static string Name(DelegationStatus status) => status switch
    {
        DelegationStatus.Pending => "pending",
        DelegationStatus.Running => "running",
        DelegationStatus.Completed => "completed",
        DelegationStatus.Failed => "failed",
        DelegationStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string JobState(DelegationStatus status) => status switch
    {
        DelegationStatus.Pending => "pending",
        DelegationStatus.Running => "in_progress",
        DelegationStatus.Completed => "completed",
        DelegationStatus.Failed => "failed",
        DelegationStatus.Cancelled => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? name, out DelegationStatus status)
    {
        foreach (var candidate in Enum.GetValues<DelegationStatus>())
        {
            if (Name(candidate) == name)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static DelegationStatus Parse(string name) =>
        TryParse(name, out var status) ? status : throw new FormatException($"'{name}' is not a delegation status.");

    public static bool IsTerminal(DelegationStatus status) =>
        status is DelegationStatus.Completed or DelegationStatus.Failed or DelegationStatus.Cancelled;
}
