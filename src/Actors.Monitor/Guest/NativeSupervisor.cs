using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The guest kernel in control of the bare machine (no monitor): traps go straight to it and its privileged
/// instructions execute natively, one cycle each. Guest-physical memory is machine memory, pages interleaved round
/// robin over the nodes as FLASH was set up for IRIX 5.3 [D 5.4]. This is the baseline of every overhead.
/// </summary>
public sealed class NativeSupervisor : ISupervisor
{
    private readonly GuestKernel _kernel;
    private readonly MachineLayout _layout;
    private readonly long _cyclePs;
    private readonly int _nodes;
    private readonly long _pagesPerNode;
    private readonly long _colors;
    private readonly ComponentId? _semaphore;
    private readonly ComponentId? _runQueue;

    // Derived from the kernel's layout on first use (not state: the layout is).
    private long[]? _sharedMap;

    // State (declared in DeclareState, then the kernel's).
    private long _privileged;
    private long _hotPages;
    private bool _lockPending;
    private long _lockRequestedPs;
    private long _semaphoreWaitPs;
    private long _semaphoreAcquisitions;

    /// <param name="semaphore">The SMP guest's region semaphore component (null for a uniprocessor guest).</param>
    /// <param name="runQueue">The SMP guest's shared run queue (null: pinned, or a uniprocessor guest).</param>
    public NativeSupervisor(GuestKernel kernel, MachineParams machine, MachineLayout layout, ComponentId? semaphore = null, ComponentId? runQueue = null)
    {
        _semaphore = semaphore;
        _runQueue = runQueue;
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(layout);
        if (kernel.Relocated || kernel.MonitorZeroes)
        {
            throw new ArgumentException("on bare hardware the guest kernel uses KSEG0 and zeroes its own pages", nameof(kernel));
        }

        _kernel = kernel;
        _layout = layout;
        _cyclePs = machine.CycleTimePs;
        _nodes = machine.Nodes;
        _pagesPerNode = machine.PagesPerNode;
        long colors = machine.L2.SizeBytes / machine.L2.Associativity / MachineConstants.PageSizeBytes;
        _colors = colors >= 1 && machine.PagesPerNode % colors == 0 ? colors : 1;
    }

    public GuestKernel Kernel => _kernel;

    public ExecutionStream? Current => _kernel.Current;

    public bool Halted => _kernel.Finished && !_kernel.InKernel;

    /// <summary>
    /// Guest-physical page → machine page: round-robin interleaving over the nodes, in runs of one L2 way (one page
    /// of each cache colour), so that a page keeps its colour. (FLASH interleaved single pages, but its physical
    /// addresses stayed contiguous; here a node's pages are numbered consecutively, and interleaving single pages
    /// would give runs of consecutive guest pages one colour and the L2 conflicts real hardware does not have.)
    /// </summary>
    public long MachinePageOf(long guestPage)
    {
        if (guestPage < 0)
        {
            return -1;
        }

        if (_kernel.Parameters.PlaceByProcessor && _kernel.Smp)
        {
            return ByProcessor(guestPage);
        }

        long run = guestPage / _colors;
        return ((run % _nodes) * _pagesPerNode) + ((run / _nodes) * _colors) + (guestPage % _colors);
    }

    /// <summary>
    /// By-processor placement: slice k (SMP part k's memory) lies on node k, shifted so each page keeps its colour;
    /// the shared pages (kernel, boot-cached files) fill the rest of the nodes round robin, each on a free page of
    /// its colour where one is left. The shared pages' map is derived from the layout, built on first use.
    /// </summary>
    private long ByProcessor(long guestPage)
    {
        long shared = _kernel.SharedPages, slice = _kernel.SliceSize;
        if (_sharedMap is null)
        {
            // The whole layout is checked at the first page it places, not when a slice happens to grow that far.
            if (slice + _colors - 1 > _pagesPerNode)
            {
                throw new Engine.Configuration.BadInputException("disco.guest.smp.placement", $"by-processor: a processor's slice of {slice} pages does not fit in a node's {_pagesPerNode} pages (give the guest less memory, or use more processors)");
            }

            _sharedMap = SharedMap(shared, slice);
        }

        if (guestPage < shared)
        {
            return _sharedMap[guestPage];
        }

        long index = guestPage - shared;
        long part = Math.Min(index / slice, _kernel.Instances - 1);
        return (part % _nodes * _pagesPerNode) + index - (part * slice) + SliceShift(shared, slice, part);
    }

    /// <summary>Where in its node slice <paramref name="part"/> starts: the shift that gives its first page its colour.</summary>
    private long SliceShift(long shared, long slice, long part) => (shared + (part * slice)) % _colors;

    private long[] SharedMap(long shared, long slice)
    {
        // Free pages per node and colour: everything outside the node's slice.
        var free = new Queue<long>[_nodes * _colors];
        for (int q = 0; q < free.Length; q++)
        {
            free[q] = new Queue<long>();
        }

        for (int node = 0; node < _nodes; node++)
        {
            bool hasSlice = node < _kernel.Instances;
            long start = hasSlice ? SliceShift(shared, slice, node) : 0, end = hasSlice ? start + slice : 0;
            for (long offset = 0; offset < _pagesPerNode; offset++)
            {
                if (offset < start || offset >= end)
                {
                    long page = ((long)node * _pagesPerNode) + offset;
                    free[(node * _colors) + (page % _colors)].Enqueue(page);
                }
            }
        }

        var map = new long[shared];
        for (long g = 0; g < shared; g++)
        {
            // Round robin over the nodes in runs of one L2 way; on the run's node a page of the right colour if any.
            int home = (int)(g / _colors % _nodes);
            long color = g % _colors;
            int found = -1;
            for (int k = 0; k < _nodes && found < 0; k++)
            {
                int q = ((home + k) % _nodes * (int)_colors) + (int)color;
                found = free[q].Count > 0 ? q : -1;
            }

            for (int q = 0; q < free.Length && found < 0; q++)
            {
                found = free[(q + (home * (int)_colors)) % free.Length].Count > 0 ? (q + (home * (int)_colors)) % free.Length : -1;
            }

            map[g] = found >= 0
                ? free[found].Dequeue()
                : throw new Engine.Configuration.BadInputException("disco.guest.smp.placement", "by-processor: the shared kernel and files do not fit beside the slices (give the guest less memory)");
        }

        return map;
    }

    public TrapOutcome OnQuantum(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _kernel.Boot(context.LocalPs);
        _kernel.OnQuantum(context.LocalPs);
        return WithLock(TrapOutcome.None, context);
    }

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _kernel.OnTlbMiss(virtualAddress, readOnly, context.LocalPs);
        return WithLock(TrapOutcome.None, context);
    }

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_kernel.InKernel)
        {
            _kernel.OnSyscall(operation, context.LocalPs);
            return WithLock(TrapOutcome.None, context);
        }

        var (code, argument) = GuestPrivilegedOps.Decode(operation);
        if (code == GuestPrivileged.Unlock)
        {
            Unlock(context);
            return TrapOutcome.None;
        }

        _privileged++;
        switch (code)
        {
            case GuestPrivileged.TlbWrite:
            {
                var (asid, vpn) = GuestPrivilegedOps.TlbTarget(argument);
                var e = _kernel.TlbEntryFor(asid, vpn);
                context.WriteTlb(new TlbEntry(e.VirtualPair, asid, MachinePageOf(e.EvenPage), e.EvenWritable, MachinePageOf(e.OddPage), e.OddWritable));
                break;
            }

            case GuestPrivileged.TlbFlushAsid:
                context.Tlb.FlushAsid((int)argument);
                break;
            case GuestPrivileged.StartIo:
            {
                var io = _kernel.Io(argument);
                context.Send(_layout.Disk(io.Disk % _layout.Disks), new DiskRequest(io.Id, Write: io.Write, io.Sector, [.. io.GuestPages.Select(MachinePageOf)], context.Processor));
                break;
            }

            case GuestPrivileged.ZeroPage or GuestPrivileged.ReleasePages:
                throw new InvalidOperationException($"bare guest: made monitor call {code}, but no monitor runs");
            default:
                break;
        }

        return new TrapOutcome(_cyclePs, ExecutionMode.Kernel);
    }

    public TrapOutcome OnStreamEnd(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_kernel.InKernel)
        {
            int held = _kernel.OnPathEnd(context.LocalPs);
            if (held >= 0)
            {
                context.Send(_semaphore!.Value, new LockRelease(context.Node, Lock: held));
            }
        }
        else
        {
            _kernel.OnProcessEnd(context.LocalPs);
        }

        return WithLock(TrapOutcome.None, context);
    }

    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case DiskComplete d:
                _kernel.OnDiskComplete(d.RequestId, context.LocalPs);
                return WithLock(TrapOutcome.None, context);
            case LockGrant grant:
            {
                if (!_lockPending)
                {
                    throw new InvalidOperationException("SMP guest: a lock grant nobody waits for");
                }

                _lockPending = false;
                _kernel.GrantLock(context.LocalPs, grant.Woken);
                _semaphoreAcquisitions++;
                _semaphoreWaitPs += context.LocalPs - _lockRequestedPs;
                return WithLock(TrapOutcome.None, context);
            }
            case ProcessGive or RunQueueThieves or ProcessReturn:
                _kernel.OnRunQueue(message, context.LocalPs);
                return WithLock(TrapOutcome.None, context);
            case HotPageInterrupt:
                // IRIX 5.3 is not NUMA-aware: the interrupt is taken and ignored.
                _hotPages++;
                return WithLock(TrapOutcome.None, context);
            default:
                throw new InvalidOperationException($"bare guest: unexpected {message.GetType().Name}");
        }
    }

    private void Unlock(ISupervisorContext context)
    {
        if (_kernel.ReleaseLock() is { } path)
        {
            context.Send(_semaphore!.Value, new LockRelease(context.Node, Lock: path.LockId));
        }
    }

    /// <summary>
    /// SMP guests: a path that must hold the region semaphore does not run before it is granted; the thread sleeps
    /// and the processor, with nothing else to run, idles meanwhile (every message in between finds it still waiting).
    /// </summary>
    private TrapOutcome WithLock(TrapOutcome outcome, ISupervisorContext context)
    {
        foreach (var m in _kernel.TakeRunQueueMessages())
        {
            context.Send(_runQueue ?? throw new InvalidOperationException("SMP guest without a run queue"), m, outcome.CostPs);
        }

        if (!_lockPending && _kernel.RequestLock() is { } path)
        {
            _lockPending = true;
            _lockRequestedPs = context.LocalPs + outcome.CostPs;
            context.Send(_semaphore ?? throw new InvalidOperationException("SMP guest without a semaphore"), new LockAcquire(context.Node, Lock: path.LockId), outcome.CostPs);
        }

        return _lockPending ? outcome with { Action = TrapAction.Wait, WaitMode = ExecutionMode.Kernel, WaitIdle = _kernel.WaitsOnSemaphore } : outcome;
    }

    public void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _kernel.ReportStats(sink);
        sink.Add("memory_pages.machine", _kernel.PagesInUse);
        sink.Add("memory_pages.machine_peak", _kernel.PeakPagesInUse);

        // On bare hardware guest-physical memory is machine memory: the same split, nothing shared.
        var footprint = _kernel.Footprint();
        for (int k = 0; k < footprint.Length; k++)
        {
            sink.Add("footprint.machine." + GuestKernel.FootprintKinds[k], footprint[k]);
        }

        var peak = _kernel.PeakFootprint();
        for (int k = 0; k < peak.Length; k++)
        {
            sink.Add("footprint.machine.peak." + GuestKernel.FootprintKinds[k], peak[k]);
        }

        sink.Add("disk_requests.issued", _kernel.DiskReads);
        sink.Add("disk_writes.issued", _kernel.DiskWrites);
    }

    /// <summary>The supervisor's own state; the kernel's follows it in a checkpoint, and reports its own counters.</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Counter("guest.privileged_native", ref _privileged);
        io.Counter("guest.hot_page_interrupts", ref _hotPages);
        io.Bool("memlock pending", ref _lockPending);
        io.Long("memlock requested", ref _lockRequestedPs, 0);
        io.Counter("guest.region_sem.wait_ps", ref _semaphoreWaitPs);
        io.Counter("guest.region_sem.acquisitions", ref _semaphoreAcquisitions);

        if (!io.IsReporting)
        {
            io.Part(_kernel);
        }
    }
}
