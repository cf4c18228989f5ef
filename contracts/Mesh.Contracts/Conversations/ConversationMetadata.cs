namespace Mesh.Contracts.Conversations;

/// <summary>
/// Where a conversation message comes from when no person typed it: a delegated sub-task names its
/// execution and task so its child session can be traced back.
/// </summary>
/// <param name="ExecutionId">Delegation execution the message belongs to.</param>
/// <param name="TaskId">Delegation task the child session runs.</param>
/// <param name="ParentTaskId">Task that delegated <paramref name="TaskId"/>.</param>
/// <param name="Depth">Delegation depth of the task, 0 for the root.</param>
/// <param name="Labels">Up to 16 small free annotations (keys <c>^[a-z][a-z0-9_.-]{0,63}$</c>, values ≤ 256 characters).</param>
public sealed record ConversationMetadata(
    Guid? ExecutionId = null,
    Guid? TaskId = null,
    Guid? ParentTaskId = null,
    int? Depth = null,
    IReadOnlyDictionary<string, string>? Labels = null);
