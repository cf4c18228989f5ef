namespace Mesh.Policy.Domain;

/// <summary>
/// The <c>reason</c> codes of a /v1/check decision (and of <c>policy.decisions</c> records). Every reason other
/// than <see cref="Allowed"/> denies: when the policy service cannot answer, the answer is no.
/// </summary>
public static class DecisionReasons
{
    /// <summary>A relationship grants it.</summary>
    public const string Allowed = "allowed";

    /// <summary>No relationship grants it.</summary>
    public const string NoRelation = "no_relation";

    /// <summary>An engaged kill switch stops the tool.</summary>
    public const string KillSwitch = "kill_switch";

    /// <summary>The tenant has no authorization model yet.</summary>
    public const string NoModel = "no_model";

    /// <summary>Evaluation took longer than its deadline.</summary>
    public const string Timeout = "timeout";

    /// <summary>The tuple store, the kill-switch state or the OpenFGA server could not be reached.</summary>
    public const string PolicyUnavailable = "policy_unavailable";

    /// <summary>Resolution needed more nested steps than allowed.</summary>
    public const string ResolutionTooComplex = "resolution_too_complex";

    /// <summary>Evaluation failed unexpectedly.</summary>
    public const string EvaluationError = "evaluation_error";
}
