using System.Diagnostics;
using System.Globalization;
using Disco.Actors.Engine.Time;
using Disco.Actors.Host.Cli;
using Spectre.Console;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// Runs a plan's runs as child processes, at most <c>jobs</c> at once: finished runs are skipped, interrupted ones
/// resumed from their last checkpoint, the others started. Progress (each run's simulated time, the study's estimated
/// time left) goes to stderr: a live table on a terminal, one line per start and end otherwise.
/// </summary>
internal sealed class ExperimentRunner
{
    private readonly CliIo _io;
    private readonly ExperimentPlan _plan;
    private readonly int _jobs;
    private readonly int _threads;
    private readonly List<RunState> _states;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();

    /// <summary>True when the study was asked to stop: its runs were stopped (with a checkpoint) or never started.</summary>
    public bool Stopped { get; private set; }

    public ExperimentRunner(CliIo io, ExperimentPlan plan, int jobs, int threads)
    {
        _io = io;
        _plan = plan;
        _jobs = jobs;
        _threads = threads;
        _states = [.. plan.Runs.Select(r => new RunState(r, RunLauncher.StateOf(r.Folder)))];
    }

    /// <summary>The runs that failed (empty when all finished, or when the study was stopped: see <see cref="Stopped"/>).</summary>
    public async Task<IReadOnlyList<RunState>> RunAsync(CancellationToken cancel)
    {
        int finished = _states.Count(s => s.Initial == RunFolderState.Finished);
        int resumable = _states.Count(s => s.Initial == RunFolderState.Resumable);
        _io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"disco: experiment {_plan.Name} ({_plan.Scale} scale, repeat {_plan.Repeat}): {_states.Count} runs, {finished} finished before, {resumable} to resume, {_states.Count - finished - resumable} to start; {_jobs} at once, {_threads} thread(s) each"));
        using var slots = new SemaphoreSlim(_jobs);
        var work = _states.Where(s => s.Initial != RunFolderState.Finished).Select(s => RunOne(s, slots, cancel)).ToList();
        var all = Task.WhenAll(work);
        if (_io.Interactive)
        {
            await ShowLive(all).ConfigureAwait(false);
        }

        await all.ConfigureAwait(false);
        Stopped = cancel.IsCancellationRequested;
        return [.. _states.Where(s => s.Status == RunPhase.Failed)];
    }

    private async Task RunOne(RunState state, SemaphoreSlim slots, CancellationToken cancel)
    {
        try
        {
            await slots.WaitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // stopped before it started: still waiting
        }

        try
        {
            var args = state.Initial == RunFolderState.Resumable
                ? ["resume", state.Run.Folder, "--threads", _threads.ToString(CultureInfo.InvariantCulture)]
                : state.Run.RunArguments(_threads);
            lock (_gate)
            {
                state.Status = RunPhase.Running;
                state.Started = _clock.Elapsed;
            }

            if (!_io.Interactive)
            {
                Note($"{(state.Initial == RunFolderState.Resumable ? "resuming" : "starting")} {Name(state)}");
            }

            int exit;
            try
            {
                exit = await RunLauncher.RunAsync(args, state.Run.Folder, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    state.Status = RunPhase.Stopped;
                }

                return;
            }

            lock (_gate)
            {
                state.Wall = _clock.Elapsed - state.Started;
                state.Exit = exit;
                state.Status = exit == DiscoCli.Ok && RunLauncher.StateOf(state.Run.Folder) == RunFolderState.Finished ? RunPhase.Done : RunPhase.Failed;
                state.SimTimePs = RunProgressProbe.SimTimePs(state.Run.Folder);
            }

            if (!_io.Interactive)
            {
                Note(state.Status == RunPhase.Done
                    ? string.Create(CultureInfo.InvariantCulture, $"{Name(state)} finished in {state.Wall.TotalSeconds:F1} s (t={new SimTime(state.SimTimePs)}); {Headline()}")
                    : $"{Name(state)} FAILED (exit {exit}): {RunLauncher.LastLogLine(state.Run.Folder)}");
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private string Name(RunState state) =>
        _plan.Studies.Count > 1 ? $"{state.Run.Study.Name}/{state.Run.Id}" : state.Run.Id;

    private void Note(string line)
    {
        lock (_gate)
        {
            _io.Err.WriteLine($"disco: {line}");
        }
    }

    /// <summary>"k/N done, ~T left": the mean wall time of the runs done here, for what is still to run, over the jobs.</summary>
    private string Headline()
    {
        lock (_gate)
        {
            int done = _states.Count(s => s.Status is RunPhase.Done or RunPhase.Skipped);
            var measured = _states.Where(s => s.Status == RunPhase.Done).Select(s => s.Wall.TotalSeconds).ToList();
            string left = "time left unknown until a run finishes";
            if (measured.Count > 0)
            {
                double mean = measured.Average();
                double seconds = _states.Sum(s => s.Status switch
                {
                    RunPhase.Waiting => mean,
                    RunPhase.Running => Math.Max(0, mean - (_clock.Elapsed - s.Started).TotalSeconds),
                    _ => 0,
                }) / _jobs;
                left = string.Create(CultureInfo.InvariantCulture, $"~{TimeSpan.FromSeconds(Math.Ceiling(seconds)):g} left");
            }

            return $"{done}/{_states.Count} done, {left}";
        }
    }

    private async Task ShowLive(Task all)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Live(Table()).AutoClear(false).StartAsync(async ctx =>
        {
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(500)).ConfigureAwait(false);
                ctx.UpdateTarget(Table());
            }
        }).ConfigureAwait(false);
    }

    private Table Table()
    {
        var table = new Table().Title(Markup.Escape($"experiment {_plan.Name}: {Headline()}")).AddColumns("run", "state", "simulated time", "wall");
        lock (_gate)
        {
            foreach (var s in _states)
            {
                if (s.Status == RunPhase.Running)
                {
                    s.SimTimePs = RunProgressProbe.SimTimePs(s.Run.Folder);
                }

                string wall = s.Status switch
                {
                    RunPhase.Running => $"{(_clock.Elapsed - s.Started).TotalSeconds:F0} s",
                    RunPhase.Done or RunPhase.Failed => $"{s.Wall.TotalSeconds:F1} s",
                    _ => "",
                };
                table.AddRow(Markup.Escape(Name(s)), s.Status.ToString().ToLowerInvariant(), s.SimTimePs > 0 ? new SimTime(s.SimTimePs).ToString() : "", wall);
            }
        }

        return table;
    }

    internal enum RunPhase
    {
        Waiting,
        Running,
        Done,
        Failed,
        Skipped,
        Stopped,
    }

    /// <summary>One run's progress in this invocation.</summary>
    internal sealed class RunState(PlannedRun run, RunFolderState initial)
    {
        public PlannedRun Run { get; } = run;

        public RunFolderState Initial { get; } = initial;

        public RunPhase Status { get; set; } = initial == RunFolderState.Finished ? RunPhase.Skipped : RunPhase.Waiting;

        public TimeSpan Started { get; set; }

        public TimeSpan Wall { get; set; }

        public int Exit { get; set; }

        public long SimTimePs { get; set; }
    }
}
