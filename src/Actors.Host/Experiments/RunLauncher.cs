using System.Diagnostics;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// Starts one run of an experiment as a child <c>disco</c> process (the same executable), its output in
/// <c>&lt;run&gt;/disco.log</c>. The child is a plain <c>disco run</c> or <c>disco resume</c>: what it writes is
/// exactly what the user would get by hand.
/// </summary>
internal static class RunLauncher
{
    public const string LogFile = "disco.log";

    /// <summary>How long a child asked to stop may take to reach a window boundary and checkpoint.</summary>
    private static readonly TimeSpan StopPatience = TimeSpan.FromSeconds(60);

    /// <summary>Where the run in <paramref name="folder"/> stands.</summary>
    public static RunFolderState StateOf(string folder)
    {
        var runFolder = new RunFolder(folder);
        var record = runFolder.Read();
        if (record is null)
        {
            return RunFolderState.New;
        }

        if (record.Status == RunStatus.Finished && File.Exists(Path.Combine(folder, "summary.json")))
        {
            return RunFolderState.Finished;
        }

        return record.Resumable && File.Exists(runFolder.DefaultDb) && CheckpointDb.Sqlite(runFolder.DefaultDb).CompletedEpochs(record.RunId) > 0
            ? RunFolderState.Resumable
            : RunFolderState.New;
    }

    /// <summary>
    /// The command that runs <c>disco</c> again: this executable when it is <c>disco</c>, else (a test host, or
    /// <c>dotnet disco.dll</c>) the <c>disco</c> beside this assembly, or <c>dotnet disco.dll</c> without an apphost.
    /// </summary>
    public static (string File, string[] Prefix) Executable()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "disco")
        {
            return (self, []);
        }

        string apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "disco.exe" : "disco");
        return File.Exists(apphost) ? (apphost, []) : ("dotnet", [Path.Combine(AppContext.BaseDirectory, "disco.dll")]);
    }

    /// <summary>Runs <paramref name="args"/> to its end (or kills it on <paramref name="cancel"/>); returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, string folder, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(args);
        Directory.CreateDirectory(folder);
        var (file, prefix) = Executable();
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in prefix.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        await using var log = new StreamWriter(Path.Combine(folder, LogFile), append: true) { AutoFlush = true };
        await log.WriteLineAsync($"$ disco {string.Join(' ', args.Select(Quote))}").ConfigureAwait(false);
        using var process = new Process { StartInfo = info };
        var gate = new object();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: the run stops at its next window boundary with a checkpoint there (as disco run does on
            // SIGTERM), so the next invocation resumes it from that point; one that does not end in time is killed
            // and resumes from its last checkpoint instead.
            await StopGently(process).ConfigureAwait(false);
            throw;
        }

        process.WaitForExit(); // flushes the redirected streams
        lock (gate)
        {
            log.Flush();
        }

        return process.ExitCode;

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    log.WriteLine(line);
                }
            }
        }
    }

    private static async Task StopGently(Process process)
    {
        try
        {
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            using var patience = new CancellationTokenSource(StopPatience);
            await process.WaitForExitAsync(patience.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The last line of <c>disco.log</c> that says something (the child's one-line error), or "".</summary>
    public static string LastLogLine(string folder)
    {
        string path = Path.Combine(folder, LogFile);
        return File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0) ?? "" : "";
    }

    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '=' or ':' or ',') ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
