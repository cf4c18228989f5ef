namespace Mesh.Testing;

/// <summary>Waiting in tests: poll a condition until a deadline, never sleep a fixed time.</summary>
public static class Poll
{
    /// <summary>Polls until <paramref name="condition"/> is true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException)
            {
                last = ex;
            }
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"Timed out after {timeout} waiting for {what}." + (last is null ? "" : " Last error: " + last.Message));
    }

    /// <summary>Polls a synchronous condition.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);
}
