using System.Diagnostics;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Experiments;

/// <summary>What a run folder says about its run when an experiment (re)starts.</summary>
internal enum RunFolderState
{
    /// <summary>No run yet (or one that stopped before its first checkpoint, or failed): <c>disco run</c>.</summary>
    New,

    /// <summary>Interrupted after a completed checkpoint: <c>disco resume</c>.</summary>
    Resumable,

    /// <summary>Finished with its summary.json: skipped.</summary>
    Finished,
}

/// <summary>
/// Starts one run of an experiment as a child <c>disco</c> process (the same executable), its output in
/// <c>&lt;run&gt;/disco.log</c>. The child is a plain <c>disco run</c> or <c>disco resume</c>: what it writes is
/// exactly what the user would get by hand.
/// </summary>
internal static class RunLauncher
{
    public const string LogFile = "disco.log";

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
    /// The command that runs <c>disco</c> again: this executable when it is <c>disco</c>, else (a test host) the
    /// <c>disco</c> beside this assembly.
    /// </summary>
    public static string Executable()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "disco")
        {
            return self;
        }

        return Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "disco.exe" : "disco");
    }

    /// <summary>Runs <paramref name="args"/> to its end (or kills it on <paramref name="cancel"/>); returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, string folder, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(args);
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
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
            // The run resumes from its last checkpoint next time: a hard stop loses at most one interval.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
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

    /// <summary>The last line of <c>disco.log</c> that says something (the child's one-line error), or "".</summary>
    public static string LastLogLine(string folder)
    {
        string path = Path.Combine(folder, LogFile);
        return File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0) ?? "" : "";
    }

    public static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '/' or '=' or ':' or ',') ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
