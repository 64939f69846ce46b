using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The kernel paths under way, innermost last (an interrupt or a nested refill pushes its path on top of the one it
/// interrupts), each service's count and time, and an SMP guest's locks: a path that changes VM structures takes the
/// memlock, a spin lock in the kernel's data (<see cref="OperationKind.Acquire"/> before it runs, a release where it
/// unlocks or at its end: the processor and the caches do the rest), or its region's semaphore, a sleeping lock the
/// supervisor asks for before the path runs and gives back when it unlocks or ends.
/// </summary>
internal sealed class KernelPathStack : IStateful
{
    private readonly bool _kernelSegments;
    private readonly bool _takesLocks;
    private readonly long _memlockWord;

    private readonly List<ExecutionStream> _paths = [];
    private readonly long[] _serviceCount = new long[KernelServices.Count];
    private readonly long[] _serviceTimePs = new long[KernelServices.Count];

    // Under the monitor: the VCPU's time by work (Vcpu.WorkPs), and per path depth its value when the path started
    // and what the paths nested in it took, so each service's time splits like Table 2 of the paper.
    private long[]? _workPs;
    private long[][] _serviceSplitPs = [];
    [Transient("a pool by depth: the depths in use are declared with the paths, deeper ones are scratch")]
    private readonly List<long[]> _workAtStartPs = [];
    [Transient("a pool by depth: the depths in use are declared with the paths, deeper ones are scratch")]
    private readonly List<long[]> _nestedWorkPs = [];

    /// <param name="relocated">The kernel runs in the mapped segment (under the monitor), not KSEG0.</param>
    /// <param name="takesLocks">An SMP guest with VM structures to lock (not a library OS).</param>
    /// <param name="memlockWord">The kernel's address of the memlock's word.</param>
    public KernelPathStack(bool relocated, bool takesLocks, long memlockWord)
    {
        _kernelSegments = !relocated;
        _takesLocks = takesLocks;
        _memlockWord = memlockWord;
    }

    public int Count => _paths.Count;

    /// <summary>The innermost path's stream.</summary>
    public ExecutionStream Innermost => _paths[^1];

    public KernelPath Top => (KernelPath)_paths[^1].Source;

    /// <summary>The paths under way, innermost last.</summary>
    public IEnumerable<KernelPath> Paths => _paths.Select(s => (KernelPath)s.Source);

    public long ServiceCount(KernelService s) => _serviceCount[(int)s];

    public long ServiceTimePs(KernelService s) => _serviceTimePs[(int)s];

    /// <summary>
    /// Splits each service's time by what the VCPU's time went to (<paramref name="workPs"/>, kept by the monitor as
    /// the time is charged); the paths nested in a path are subtracted as from its time.
    /// </summary>
    public void SplitBy(long[] workPs)
    {
        _workPs = workPs;
        _serviceSplitPs = [.. Enumerable.Range(0, KernelServices.Count).Select(_ => new long[workPs.Length])];
    }

    /// <summary>Under the monitor: the part of <paramref name="s"/>'s time that went to work number <paramref name="work"/>.</summary>
    public long ServiceSplitPs(KernelService s, int work) => _serviceSplitPs[(int)s][work];

    /// <summary>Counts a service that ran without a path of its own (a library-OS fault the monitor handled).</summary>
    public void CountService(KernelService s) => _serviceCount[(int)s]++;

    /// <summary>The path on top turned out to be a slow refill (its page-table load missed): it counts as one.</summary>
    public void BecomeSlowRefill(KernelPath path)
    {
        path.Service = KernelService.SlowTlbRefill;
        _serviceCount[(int)KernelService.FastTlbRefill]--;
        _serviceCount[(int)KernelService.SlowTlbRefill]++;
    }

    public void Push(KernelService service, List<Operation> ops, long nowPs, bool count = true, PathCompletion completion = PathCompletion.None, long argument = 0, int lockId = KernelLocks.Memlock)
    {
        if (count)
        {
            _serviceCount[(int)service]++;
        }

        var path = new KernelPath(service, ops, completion, argument) { StartPs = nowPs, LockId = lockId };
        if (_takesLocks && service is KernelService.DemandZero or KernelService.FileFault or KernelService.QuickFault or KernelService.Fork or KernelService.Execve or KernelService.Exit)
        {
            // IRIX's memlock guards the VM structures these change [D 5.5].
            if (lockId == KernelLocks.Memlock)
            {
                TakeMemlock(ops);
            }
            else
            {
                path.Lock = LockState.Needed;
            }
        }

        _paths.Add(new ExecutionStream(path, ExecutionMode.Kernel, GuestLayout.KernelAsid, _kernelSegments));
        if (_workPs is not null)
        {
            MarkWork(_paths.Count - 1);
        }
    }

    /// <summary>Depth <paramref name="depth"/>'s arrays, reused: a path costs no allocation once the stack has been that deep.</summary>
    private void MarkWork(int depth)
    {
        var work = _workPs!;
        while (_workAtStartPs.Count <= depth)
        {
            _workAtStartPs.Add(new long[work.Length]);
            _nestedWorkPs.Add(new long[work.Length]);
        }

        work.CopyTo(_workAtStartPs[depth], 0);
        Array.Clear(_nestedWorkPs[depth]);
    }

    /// <summary>The memlock around a path: acquired first; released where the path unlocks, else at its end.</summary>
    private void TakeMemlock(List<Operation> ops)
    {
        int unlock = ops.FindIndex(op => op.Kind == OperationKind.Privileged && GuestPrivilegedOps.Decode(op).Code == GuestPrivileged.Unlock);
        if (unlock >= 0)
        {
            ops[unlock] = Operation.Release(_memlockWord);
        }
        else
        {
            ops.Add(Operation.Release(_memlockWord));
        }

        ops.Insert(0, Operation.Acquire(_memlockWord));
    }

    /// <summary>The innermost path ended: its time, less the paths nested in it, is its service's; it is nested time of the next.</summary>
    public KernelPath Pop(long nowPs)
    {
        var path = Top;
        _paths.RemoveAt(_paths.Count - 1);
        long duration = nowPs - path.StartPs;
        _serviceTimePs[(int)path.Service] += Math.Max(0, duration - path.NestedPs);
        if (_paths.Count > 0)
        {
            Top.NestedPs += duration;
        }

        if (_workPs is not null)
        {
            SplitOff(path.Service, _paths.Count);
        }

        return path;
    }

    /// <summary>The work done while the path at <paramref name="depth"/> ran, less its nested paths', goes to its service; all of it is nested work of the path below.</summary>
    private void SplitOff(KernelService service, int depth)
    {
        var work = _workPs!;
        var start = _workAtStartPs[depth];
        var nested = _nestedWorkPs[depth];
        var split = _serviceSplitPs[(int)service];
        for (int w = 0; w < work.Length; w++)
        {
            long during = work[w] - start[w];
            split[w] += during - nested[w];
            if (depth > 0)
            {
                _nestedWorkPs[depth - 1][w] += during;
            }
        }
    }

    /// <summary>The path about to run needs a lock it has not asked for: it asks now. Returns it, or null.</summary>
    public KernelPath? RequestLock()
    {
        if (_paths.Count == 0 || Top is not { Lock: LockState.Needed } path)
        {
            return null;
        }

        path.Lock = LockState.Requested;
        return path;
    }

    /// <summary>
    /// A lock was granted: to the innermost path that asked (an interrupt taken while waiting may have pushed its
    /// own path on top of it). Returns that path.
    /// </summary>
    public KernelPath GrantLock()
    {
        var path = Paths.LastOrDefault(p => p.Lock == LockState.Requested) ?? throw new InvalidOperationException("guest: a lock granted to no path");
        path.Lock = LockState.Held;
        return path;
    }

    /// <summary>An unlock: the innermost path that holds a lock gives it up (the rest of it runs outside). Returns it, or null.</summary>
    public KernelPath? ReleaseLock()
    {
        var path = Paths.LastOrDefault(p => p.Lock == LockState.Held);
        if (path is not null)
        {
            path.Lock = LockState.None;
        }

        return path;
    }

    /// <summary>
    /// The path waiting for a lock waits for the region semaphore: its thread sleeps (the processor, with nothing
    /// else to run, idles) where a memlock waiter spins.
    /// </summary>
    public bool WaitsOnSemaphore => Paths.LastOrDefault(p => p.Lock == LockState.Requested)?.LockId == KernelLocks.RegionSemaphore;

    public void DeclareState(ref StateIo io)
    {
        for (int s = 0; s < KernelServices.Count; s++)
        {
            string name = ((KernelService)s).Name();
            io.Counter($"service.{name}.count", ref _serviceCount[s]);
            io.Counter($"service.{name}.time_ps", ref _serviceTimePs[s]);
        }

        if (_workPs is not null)
        {
            for (int s = 0; s < KernelServices.Count; s++)
            {
                io.Counters($"service.{((KernelService)s).Name()}.split", _serviceSplitPs[s], Vcpus.MonitorWorks.All);
            }
        }

        int paths = _paths.Count;
        io.Int("kernel paths", ref paths, 0, 1024);
        if (io.IsLoading)
        {
            _paths.Clear();
            for (int i = 0; i < paths; i++)
            {
                _paths.Add(new ExecutionStream(new KernelPath(), ExecutionMode.Kernel, GuestLayout.KernelAsid, _kernelSegments));
            }
        }

        foreach (var stream in _paths)
        {
            io.Part(stream);
        }

        if (_workPs is not null)
        {
            for (int depth = 0; depth < paths; depth++)
            {
                if (io.IsLoading)
                {
                    MarkWork(depth);
                }

                io.Longs("path work at start", _workAtStartPs[depth], 0);
                io.Longs("path nested work", _nestedWorkPs[depth], 0);
            }
        }
    }
}
