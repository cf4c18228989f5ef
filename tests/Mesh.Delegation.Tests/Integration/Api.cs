using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mesh.Testing;
using Mesh.Testing.Kafka;
using NUnit.Framework;

namespace Mesh.Delegation.Tests.Integration;

/// <summary>The delegation API as the tests use it, and what the tests read back from Kafka with kcat.</summary>
public static class Api
{
    public static async Task<Guid> StartAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("/v1/executions", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("execution_id").GetGuid();
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{path}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<JsonElement> DetailAsync(HttpClient client, Guid id) => GetAsync(client, $"/v1/executions/{id}");

    /// <summary>Waits (long-polling the status) until the execution reaches a terminal state; returns the status body.</summary>
    public static async Task<JsonElement> WaitForEndAsync(HttpClient client, Guid id, TimeSpan timeout)
    {
        JsonElement status = default;
        await Poll.UntilAsync(async () =>
        {
            status = await GetAsync(client, $"/v1/executions/{id}/status?wait_ms=5000");
            return status.GetProperty("status").GetString() is "completed" or "failed" or "cancelled";
        }, timeout, $"execution {id} to end", TimeSpan.FromMilliseconds(50));
        return status;
    }

    /// <summary>Waits until every work task of the execution is running (its child session started).</summary>
    public static async Task<JsonElement> WaitForRunningTasksAsync(HttpClient client, Guid id, int count, TimeSpan timeout)
    {
        JsonElement detail = default;
        await Poll.UntilAsync(async () =>
        {
            detail = await DetailAsync(client, id);
            return WorkTasks(detail).Count(t => t.GetProperty("status").GetString() == "running") >= count;
        }, timeout, $"{count} running tasks of execution {id}");
        return detail;
    }

    public static IReadOnlyList<JsonElement> WorkTasks(JsonElement detail) =>
        [.. detail.GetProperty("tasks").EnumerateArray().Where(t => t.GetProperty("kind").GetString() == "work")];

    public static Guid Session(JsonElement task) => task.GetProperty("session_id").GetGuid();

    /// <summary>Every message of a topic so far whose key is one of <paramref name="sessions"/>, read with kcat.</summary>
    public static async Task<IReadOnlyList<JsonElement>> MessagesAsync(string topic, IEnumerable<Guid> sessions)
    {
        var keys = sessions.Select(s => s.ToString("D")).ToHashSet();
        var stack = await DelegationStack.GetAsync();
        var output = await Kcat.RunCheckedAsync(["-b", stack.Kafka.BootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n"]);
        return
        [
            .. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('\t', 2))
                .Where(parts => parts.Length == 2 && keys.Contains(parts[0]))
                .Select(parts => JsonDocument.Parse(parts[1]).RootElement.Clone()),
        ];
    }

    /// <summary>Session and type of each event, for failure messages.</summary>
    public static string Describe(IEnumerable<JsonElement> events) =>
        string.Join(", ", events.Select(e => $"{e.GetProperty("session_id").GetString()![^4..]}:{e.GetProperty("type").GetString()}"));
}
