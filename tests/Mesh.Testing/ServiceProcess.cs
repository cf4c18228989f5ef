using System.Diagnostics;
using System.Net;
using System.Text;

namespace Mesh.Testing;

/// <summary>
/// A mesh service started from its build output as a real process on a free loopback port, with the
/// environment a test gives it. Its JSON log lines are kept so tests can read them.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>The five services: folder under services/ and assembly name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Assemblies = new Dictionary<string, string>
    {
        ["gateway"] = "Mesh.Gateway",
        ["conversation-worker"] = "Mesh.ConversationWorker",
        ["tool-executor"] = "Mesh.ToolExecutor",
        ["policy"] = "Mesh.Policy",
        ["delegation"] = "Mesh.Delegation",
    };

    private readonly Process process;
    private readonly StringBuilder log = new();

    private ServiceProcess(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        this.process = process;
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The service's folder name (gateway, policy, ...).</summary>
    public string Name { get; }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>Its base address.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>A client for its HTTP API, without credentials.</summary>
    public HttpClient Http { get; }

    /// <summary>Everything it has written to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Its process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>Starts the service and waits until <c>/healthz</c> answers.</summary>
    public static async Task<ServiceProcess> StartAsync(string name, IDictionary<string, string> environment, int? port = null)
    {
        var dll = RepoPaths.Combine("services", name, "bin", RepoPaths.Configuration, "net10.0", Assemblies[name] + ".dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution first (make build).");
        }
        var chosen = port ?? Ports.Free();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{chosen}");
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info)!;
        var service = new ServiceProcess(name, chosen, process);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Poll.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    return true;
                }
                using var response = await service.Http.GetAsync("/healthz");
                return response.StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(60), name + " /healthz");
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}:\n{service.Log}");
            }
        }
        catch (TimeoutException ex)
        {
            var log = service.Log;
            await service.DisposeAsync();
            throw new TimeoutException(ex.Message + "\n" + name + " log:\n" + log, ex);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    /// <summary>Waits until <c>/readyz</c> answers <paramref name="expected"/>; returns the last body.</summary>
    public async Task<string> WaitForReadinessAsync(HttpStatusCode expected, TimeSpan timeout)
    {
        var body = "";
        await Poll.UntilAsync(async () =>
        {
            using var response = await Http.GetAsync("/readyz");
            body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == expected;
        }, timeout, $"{Name} /readyz {(int)expected} (last: {body})", TimeSpan.FromMilliseconds(250));
        return body;
    }

    /// <summary>Kills the process at once (a crash, not a shutdown).</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
