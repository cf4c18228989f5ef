namespace Mesh.Delegation.Domain;

/// <summary>The stable <c>error.code</c> values of failed or cancelled executions and tasks.</summary>
public static class ErrorCodes
{
    public const string TaskFailed = "task_failed";
    public const string AllSubtasksFailed = "all_subtasks_failed";
    public const string DependencyFailed = "dependency_failed";
    public const string TaskTimeout = "task_timeout";
    public const string TimeBudgetExhausted = "time_budget_exhausted";
    public const string TokenBudgetExhausted = "token_budget_exhausted";
    public const string Cancelled = "cancelled";
    public const string ParentEnded = "parent_ended";
    public const string PlanningFailed = "planning_failed";
    public const string FanOutLimitExceeded = "fan_out_limit_exceeded";
    public const string DepthLimitExceeded = "depth_limit_exceeded";
    public const string TaskLimitExceeded = "task_limit_exceeded";
    public const string AggregationFailed = "aggregation_failed";
    public const string ChildError = "child_error";
    public const string ChildCancelled = "child_cancelled";
    public const string ExternalAuthFailed = "external_auth_failed";
    public const string ExternalTimeout = "external_timeout";
    public const string ExternalUnavailable = "external_unavailable";
    public const string ExternalProtocolError = "external_protocol_error";
    public const string ExternalFailed = "external_failed";
    public const string ExternalCancelled = "external_cancelled";
}
