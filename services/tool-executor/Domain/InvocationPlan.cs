namespace Mesh.ToolExecutor.Domain;

/// <summary>What the invocation record said when this delivery claimed it.</summary>
public enum RecordState
{
    /// <summary>First delivery: the record was just created.</summary>
    New,

    /// <summary>A result is recorded: the request is done.</summary>
    Finished,

    /// <summary>A run started and never finished: its executor died (its lease has expired, since this one holds it now).</summary>
    Unfinished,
}

/// <summary>What to do with a delivered request.</summary>
public enum InvocationAction
{
    /// <summary>Decide and run it.</summary>
    Run,

    /// <summary>Publish the recorded result again; run nothing.</summary>
    Republish,

    /// <summary>Answer <c>failed</c> with reason <c>interrupted</c>; never run it again.</summary>
    Interrupt,
}

/// <summary>Exactly-once effects: the decision for a request whose record is in a given state.</summary>
public static class InvocationPlan
{
    /// <summary>
    /// A recorded result is republished; a run interrupted by a crash is repeated only for an idempotent tool,
    /// because a tool with side effects may have had them already.
    /// </summary>
    public static InvocationAction Decide(RecordState state, bool idempotent) => state switch
    {
        RecordState.New => InvocationAction.Run,
        RecordState.Finished => InvocationAction.Republish,
        _ => idempotent ? InvocationAction.Run : InvocationAction.Interrupt,
    };
}
