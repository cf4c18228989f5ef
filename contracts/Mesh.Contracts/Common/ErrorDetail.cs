namespace Mesh.Contracts.Common;

/// <summary>A failure as a stable machine-readable code and a human-readable message.</summary>
/// <param name="Code">Lowercase code such as <c>policy_unavailable</c> or <c>tool_error</c>; clients branch on it.</param>
/// <param name="Message">Explanation for people; never contains secrets or message content.</param>
public sealed record ErrorDetail(string Code, string Message);
