namespace Mesh.ToolExecutor.Domain;

/// <summary>The state of a circuit breaker, with the value the <c>mesh_tool_circuit_state</c> gauge reports.</summary>
public enum CircuitState
{
    /// <summary>Calls pass.</summary>
    Closed = 0,

    /// <summary>One probe call is allowed to test whether the tool recovered.</summary>
    HalfOpen = 1,

    /// <summary>Calls are refused with <c>circuit_open</c>.</summary>
    Open = 2,
}

/// <summary>How a call that passed the breaker ended, as far as the breaker cares.</summary>
public enum CallResult
{
    /// <summary>The tool answered.</summary>
    Success,

    /// <summary>The tool faulted or timed out.</summary>
    Fault,

    /// <summary>Ended for a reason that says nothing about the tool's health (cancelled, caller's deadline, bad input).</summary>
    Neutral,
}

/// <summary>
/// A per-tool circuit breaker: opens after <c>threshold</c> consecutive faults, stays open for
/// <c>openDuration</c>, then lets exactly one probe through (half-open); the probe's success closes it, its
/// fault opens it again. Thread-safe; time comes from the given provider.
/// </summary>
public sealed class CircuitBreaker(int threshold, TimeSpan openDuration, TimeProvider time)
{
    private readonly Lock gate = new();
    private CircuitState state = CircuitState.Closed;
    private int consecutiveFaults;
    private DateTimeOffset openedAt;
    private bool probeInFlight;

    /// <summary>The current state; an open breaker whose open period is over reports half-open.</summary>
    public CircuitState State
    {
        get
        {
            lock (gate)
            {
                return state == CircuitState.Open && time.GetUtcNow() - openedAt >= openDuration ? CircuitState.HalfOpen : state;
            }
        }
    }

    /// <summary>Asks to make a call. When it returns true the caller must report the call with <see cref="Complete"/>.</summary>
    /// <param name="isProbe">Whether this call is the half-open probe.</param>
    public bool TryEnter(out bool isProbe)
    {
        lock (gate)
        {
            isProbe = false;
            if (state == CircuitState.Open && time.GetUtcNow() - openedAt >= openDuration)
            {
                state = CircuitState.HalfOpen;
            }
            switch (state)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.HalfOpen when !probeInFlight:
                    probeInFlight = true;
                    isProbe = true;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Reports how a call allowed by <see cref="TryEnter"/> ended.</summary>
    public void Complete(bool isProbe, CallResult result)
    {
        lock (gate)
        {
            if (isProbe)
            {
                probeInFlight = false;
            }
            switch (result)
            {
                case CallResult.Success:
                    consecutiveFaults = 0;
                    if (isProbe || state == CircuitState.Closed)
                    {
                        state = CircuitState.Closed;
                    }
                    break;
                case CallResult.Fault:
                    consecutiveFaults++;
                    if (isProbe || (state == CircuitState.Closed && consecutiveFaults >= threshold))
                    {
                        state = CircuitState.Open;
                        openedAt = time.GetUtcNow();
                    }
                    break;
            }
        }
    }
}
