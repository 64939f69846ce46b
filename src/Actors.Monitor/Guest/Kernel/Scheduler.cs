using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The guest's processes and who runs: a slot per process (its ASID), jobs started as slots free up, round-robin
/// time slices, a context switch as a kernel path, and the idle loop when nothing is runnable. An SMP guest's part
/// with a shared run queue also lets its processes go to other processors and takes theirs (Scheduler.Shared.cs);
/// without one (pinned, or a uniprocessor) its processes stay.
/// </summary>
internal sealed partial class Scheduler : IStateful
{
    private readonly GuestParams _p;
    private readonly GuestWorkload _w;
    private readonly long _seed;
    private readonly GuestMemory _memory;
    private readonly KernelPathStack _paths;
    private readonly KernelCodeWriter _code;
    private readonly bool _libraryOs;

    private readonly GuestProcess?[] _slots = new GuestProcess?[GuestLayout.MaxProcesses + 1];
    private int _current;
    private long _sliceEndPs;
    private int _jobsStarted;
    private int _jobsDone;

    public Scheduler(GuestParams parameters, GuestWorkload workload, long seed, GuestMemory memory, KernelPathStack paths, KernelCodeWriter code, bool libraryOs, RunQueueLink? shared = null)
    {
        _shared = shared;
        _libraryOs = libraryOs;
        _p = parameters;
        _w = workload;
        _seed = seed;
        _memory = memory;
        _paths = paths;
        _code = code;
    }

    public int JobsDone => _jobsDone;

    /// <summary>Every job has exited: nothing will ever run again.</summary>
    public bool Finished => _jobsDone == _w.Jobs && (_shared is null || !Processes.Any());

    public GuestProcess? CurrentProcess => _current > 0 ? _slots[_current] : null;

    /// <summary>The current process's stream, if it may run.</summary>
    public ExecutionStream? CurrentStream => _current > 0 && _slots[_current] is { State: GuestProcessState.Runnable, Started: true } p ? p.Stream : null;

    /// <summary>Nothing runnable is current: the scheduler must pick again.</summary>
    public bool NeedsPick => _current == 0 || _slots[_current] is not { State: GuestProcessState.Runnable };

    public IEnumerable<GuestProcess> Processes => _slots.OfType<GuestProcess>();

    /// <summary>The process with this ASID, or null.</summary>
    public GuestProcess? Process(int asid) => asid is > 0 and <= GuestLayout.MaxProcesses ? _slots[asid] : null;

    /// <summary>Starts jobs until as many run as the workload's parallelism.</summary>
    public void StartJobs(long nowPs)
    {
        while (_jobsStarted < _w.Parallelism)
        {
            StartJob(nowPs);
        }
    }

    /// <summary>At each quantum: the time slice.</summary>
    public void OnQuantum(long nowPs)
    {
        if (_paths.Count == 0 && _current > 0 && nowPs >= _sliceEndPs)
        {
            int next = NextRunnable();
            if (next > 0 && next != _current)
            {
                PushSwitch(next, nowPs);
            }
            else
            {
                _sliceEndPs = nowPs + _p.TimeSlicePs;
            }
        }
    }

    public void Reschedule(long nowPs)
    {
        int next = NextRunnable();
        if (next > 0)
        {
            PushSwitch(next, nowPs);
        }
        else
        {
            _current = 0;
        }

        if (_shared is not null)
        {
            Idle(next == 0);
        }
    }

    /// <summary>A context switch ended: process <paramref name="slot"/> runs, with a fresh time slice. Returns it.</summary>
    public GuestProcess SwitchTo(int slot, long nowPs)
    {
        if (_shared is not null)
        {
            SwitchingTo(slot, nowPs);
        }

        _current = slot;
        _sliceEndPs = nowPs + _p.TimeSlicePs;
        return _slots[_current]!;
    }

    /// <summary>
    /// A new process's first run: execve and fork (a library OS started its threads at boot: neither).
    /// </summary>
    public void StartProcess(GuestProcess p, long nowPs)
    {
        p.Started = true;
        if (_libraryOs)
        {
            return;
        }

        var exec = _code.Entry();
        _code.Body(exec, KernelCode.Execve);
        exec.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbFlushAsid, p.Asid));
        _code.Exit(exec);
        _paths.Push(KernelService.Execve, exec, nowPs);
        var fork = _code.Entry();
        _code.Body(fork, KernelCode.Fork);
        _code.Exit(fork);
        _paths.Push(KernelService.Fork, fork, nowPs);
    }

    /// <summary>The current process's stream ended: it exits (its slot is freed when the exit path ends).</summary>
    public void Exit(GuestProcess p, long nowPs)
    {
        p.State = GuestProcessState.Exited;
        var b = _code.Entry();
        _code.Body(b, KernelCode.Exit);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbFlushAsid, p.Asid));
        _code.Release(b, p.Asid);
        _code.Exit(b);
        _paths.Push(KernelService.Exit, b, nowPs, completion: PathCompletion.Exit, argument: p.Asid);
    }

    /// <summary>The exit path ended: the process's private pages and page tables are free, and the next job starts.</summary>
    public void Reap(int slot, long nowPs)
    {
        if (_shared is not null)
        {
            ReapShared(slot, nowPs);
            return;
        }

        var gone = _slots[slot]!;
        foreach (long page in _memory.PagesOf(gone))
        {
            _memory.Free(page);
        }

        _slots[slot] = null;
        if (_current == slot)
        {
            _current = 0;
        }

        _jobsDone++;
        if (_jobsStarted < _w.Jobs)
        {
            StartJob(nowPs);
        }
    }

    /// <summary>Disk request <paramref name="requestId"/> completed: the processes asleep on it may run.</summary>
    public void Wake(long requestId, long nowPs)
    {
        foreach (var p in Processes)
        {
            if (p.State == GuestProcessState.Blocked && p.WaitingFor == requestId)
            {
                p.State = GuestProcessState.Runnable;
                p.WaitingFor = -1;
                p.ReadyPs = nowPs;
            }
        }
    }

    private void StartJob(long nowPs)
    {
        int slot = _shared is null ? Array.FindIndex(_slots, 1, s => s is null) : FreeSharedSlot();
        if (slot < 0)
        {
            throw new InvalidOperationException("guest: no free process slot");
        }

        int job = _jobsStarted++;
        var p = NewProcess(slot, job, _shared?.Part ?? 0);
        p.ReadyPs = nowPs;
        _slots[slot] = p;
        if (_memory.RegionBase >= 0)
        {
            // The threads attach the program's shared region at start (past radix's initialization barrier): mapped,
            // so their first use of a page is a TLB refill, not a fault. The library OS has no page tables to fill.
            long firstVpn = GuestLayout.SharedBase >> GuestLayout.PageShift;
            for (long i = 0; i < _memory.RegionPages; i++)
            {
                p.Map(firstVpn + i, _memory.RegionBase + i, writable: true);
                if (!_libraryOs)
                {
                    _memory.EnsureTablePage(p, firstVpn + i);
                }
            }
        }
    }

    private GuestProcess NewProcess(int slot, int job, int home) =>
        _shared is { } link ? link.Shells.Shell(home, slot, job) : new(slot, job, job % _w.Programs, new GuestProgramSource(_w, _seed, job));

    private void PushSwitch(int next, long nowPs)
    {
        var b = KernelCodeWriter.NewPath();
        _code.Body(b, KernelCode.ContextSwitch);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.SetAsid, next));
        if (_slots[next] is { Moved: true } moved)
        {
            // It ran elsewhere: entries this processor still holds for its ASID may be another process's.
            moved.Moved = false;
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbFlushAsid, next));
        }

        _paths.Push(KernelService.ContextSwitch, b, nowPs, completion: PathCompletion.SwitchTo, argument: next);
    }

    /// <summary>The next runnable process after the current one, round robin; 0 when none.</summary>
    private int NextRunnable()
    {
        int n = GuestLayout.MaxProcesses;
        for (int i = 1; i <= n; i++)
        {
            int slot = ((_current + i - 1) % n) + 1;
            if (_slots[slot] is { State: GuestProcessState.Runnable })
            {
                return slot;
            }
        }

        return 0;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Int("current process", ref _current, 0, GuestLayout.MaxProcesses);
        io.Long("slice end", ref _sliceEndPs, 0);
        io.Int("jobs started", ref _jobsStarted, 0, _w.Jobs);
        io.Int("jobs done", ref _jobsDone, 0, _w.Jobs);
        if (_shared is not null)
        {
            DeclareShared(ref io);
        }

        int processes = Processes.Count();
        io.Int("processes", ref processes, 0, GuestLayout.MaxProcesses);
        if (io.IsLoading)
        {
            Array.Clear(_slots);
            for (int i = 0; i < processes; i++)
            {
                int asid = 0, job = 0, home = 0;
                io.Int("process asid", ref asid, 1, GuestLayout.MaxProcesses);
                io.Int("process job", ref job, 0, _w.Jobs - 1);
                if (_shared is not null)
                {
                    io.Int("process home", ref home, 0, _shared.Parts - 1);
                }

                _slots[asid] = NewProcess(asid, job, home);
                io.Part(_slots[asid]!);
            }

            return;
        }

        foreach (var p in Processes)
        {
            int asid = p.Asid, job = p.Job, home = p.Home;
            io.Int("process asid", ref asid, 1, GuestLayout.MaxProcesses);
            io.Int("process job", ref job, 0, _w.Jobs - 1);
            if (_shared is not null)
            {
                io.Int("process home", ref home, 0, _shared.Parts - 1);
            }

            io.Part(p);
        }
    }
}
