using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>The real <c>disco</c> executable in a child process, for tests that kill it or signal it.</summary>
internal sealed class DiscoProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _err = new();

    private DiscoProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_out) { _out.AppendLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_err) { _err.AppendLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "disco.exe" : "disco");

    public int Id => _process.Id;

    public string Out { get { lock (_out) { return _out.ToString(); } } }

    public string Err { get { lock (_err) { return _err.ToString(); } } }

    public static DiscoProcess Start(params string[] args) => Start(null, args);

    public static DiscoProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return new DiscoProcess(Process.Start(info) ?? throw new InvalidOperationException("cannot start disco"));
    }

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static (int Exit, string Out, string Err) Run(TimeSpan timeout, params string[] args)
    {
        using var p = Start(args);
        return (p.WaitForExit(timeout), p.Out, p.Err);
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"disco did not finish within {timeout}: {Err}");
        }

        _process.WaitForExit(); // flushes the redirected streams
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: no chance to clean up, like a crash or an out-of-memory kill.</summary>
    public void KillHard()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGKILL to the process and every child it started (an experiment and its runs).</summary>
    public void KillTree()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Completed checkpoints in a run folder's SQLite store, read without disturbing the writer.</summary>
    public static int CompletedCheckpoints(string runDir)
    {
        string db = Path.Combine(runDir, "checkpoints.db");
        if (!File.Exists(db))
        {
            return 0;
        }

        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "SELECT count(*) FROM journal WHERE manifest LIKE 'checkpoint-completed.%'";
            return Convert.ToInt32(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0; // tables not created yet
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (or the process ends, or the timeout passes).</summary>
    public bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (condition())
            {
                return true;
            }

            if (_process.HasExited)
            {
                return condition();
            }

            Thread.Sleep(20);
        }

        return false;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
