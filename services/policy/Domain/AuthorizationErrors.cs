namespace Mesh.Policy.Domain;

/// <summary>
/// OpenFGA's numeric error codes for the failures this evaluator reports; the HTTP API returns
/// them (with <see cref="AuthorizationErrorCodes.ApiName"/>) so OpenFGA clients recognise them.
/// </summary>
public enum AuthorizationErrorCode
{
    /// <summary>A request field is malformed or refers to something the model does not define.</summary>
    ValidationError = 2000,

    /// <summary>The requested authorization model does not exist.</summary>
    AuthorizationModelNotFound = 2001,

    /// <summary>Resolution needed more nested steps than the configured depth limit.</summary>
    ResolutionTooComplex = 2002,

    /// <summary>A write request with neither writes nor deletes.</summary>
    InvalidWriteInput = 2003,

    /// <summary>The same tuple appears twice in one write.</summary>
    DuplicateTupleInWrite = 2004,

    /// <summary>A continuation token that this API did not issue for this query.</summary>
    InvalidContinuationToken = 2007,

    /// <summary>The write conflicts with stored state, e.g. the tuple already exists.</summary>
    WriteFailedDueToInvalidInput = 2017,

    /// <summary>The store has no authorization model yet.</summary>
    LatestAuthorizationModelNotFound = 2020,

    /// <summary>The requested object type is not defined by the model.</summary>
    TypeNotFound = 2021,

    /// <summary>The requested relation is not defined on the type.</summary>
    RelationNotFound = 2022,

    /// <summary>A contextual tuple does not satisfy the model.</summary>
    InvalidTuple = 2027,

    /// <summary>A request carries more items than allowed (tuples in a write, checks in a batch).</summary>
    ExceededEntityLimit = 2053,

    /// <summary>The authorization model itself is invalid.</summary>
    InvalidAuthorizationModel = 2056,
}

/// <summary>Names of <see cref="AuthorizationErrorCode"/> values as OpenFGA's HTTP API spells them.</summary>
public static class AuthorizationErrorCodes
{
    /// <summary>The snake_case name OpenFGA uses in error bodies, e.g. <c>validation_error</c>.</summary>
    public static string ApiName(this AuthorizationErrorCode code) => code switch
    {
        AuthorizationErrorCode.ValidationError => "validation_error",
        AuthorizationErrorCode.AuthorizationModelNotFound => "authorization_model_not_found",
        AuthorizationErrorCode.ResolutionTooComplex => "authorization_model_resolution_too_complex",
        AuthorizationErrorCode.InvalidWriteInput => "invalid_write_input",
        AuthorizationErrorCode.DuplicateTupleInWrite => "cannot_allow_duplicate_tuples_in_one_request",
        AuthorizationErrorCode.InvalidContinuationToken => "invalid_continuation_token",
        AuthorizationErrorCode.WriteFailedDueToInvalidInput => "write_failed_due_to_invalid_input",
        AuthorizationErrorCode.LatestAuthorizationModelNotFound => "latest_authorization_model_not_found",
        AuthorizationErrorCode.TypeNotFound => "type_not_found",
        AuthorizationErrorCode.RelationNotFound => "relation_not_found",
        AuthorizationErrorCode.InvalidTuple => "invalid_tuple",
        AuthorizationErrorCode.ExceededEntityLimit => "exceeded_entity_limit",
        AuthorizationErrorCode.InvalidAuthorizationModel => "invalid_authorization_model",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "unknown authorization error code"),
    };

    /// <summary>The code whose <see cref="ApiName"/> is <paramref name="name"/>, if it is one of these.</summary>
    public static bool TryParseApiName(string? name, out AuthorizationErrorCode code)
    {
        foreach (var candidate in Enum.GetValues<AuthorizationErrorCode>())
        {
            if (candidate.ApiName() == name)
            {
                code = candidate;
                return true;
            }
        }

        code = default;
        return false;
    }
}

/// <summary>A request the evaluator refuses, carrying the OpenFGA error code to answer with.</summary>
public sealed class AuthorizationException(AuthorizationErrorCode code, string message) : Exception(message)
{
    /// <summary>The OpenFGA error code.</summary>
    public AuthorizationErrorCode Code { get; } = code;
}
