using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// The bare-hardware operating system on one processor: the supervisor the processor traps to when no monitor runs.
/// It time-slices its processes round robin, refills the TLB from their page tables, asks the page allocator for a
/// page on first touch (the processor waits, in kernel mode), turns file reads into disk requests (the process
/// blocks; another runs or the processor idles) and takes interrupts (it ignores hot pages: IRIX 5.3 is not
/// NUMA-aware). Every cost is a <see cref="BareOsParams"/> value.
/// </summary>
public sealed class BareSupervisor : ISupervisor
{
    private readonly BareOsParams _os;
    private readonly MachineLayout _layout;
    private readonly ComponentId _allocator;
    private readonly long _machinePages;
    private readonly long _diskSectors;
    private readonly long _sectorsPerPage;
    private readonly List<BareProcess> _processes = [];

    // State: see DeclareState.
    private int _current = -1;
    private long _sliceEndPs;
    private bool _faultPending;
    private long _faultVpn;
    private bool _diskReadPending;
    private long _diskReadBuffer;
    private int _diskReadPages;
    private long _nextRequest;
    private long _pageFaults;
    private long _refills;
    private long _syscalls;
    private long _switches;
    private long _diskReads;
    private long _interrupts;
    private long _hotPages;

    public BareSupervisor(BareOsParams os, MachineParams machine, MachineLayout layout, ComponentId allocator)
    {
        ArgumentNullException.ThrowIfNull(os);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(layout);
        _os = os;
        _layout = layout;
        _allocator = allocator;
        _machinePages = machine.TotalPages;
        _diskSectors = machine.Disk.Sectors;
        _sectorsPerPage = MachineConstants.PageSizeBytes / machine.Disk.SectorBytes;
    }

    public IReadOnlyList<BareProcess> Processes => _processes;

    public ExecutionStream? Current => _current >= 0 ? _processes[_current].Context : null;

    public bool Halted => _processes.TrueForAll(p => p.State == ProcessState.Exited);

    /// <summary>Places a process on this processor (before the run). Its ASID is its index here.</summary>
    public BareProcess Add(int pid, IOperationSource source, IReadOnlyList<SharedRegion>? shared = null)
    {
        if (_processes.Count > TlbEntry.MaxAsid)
        {
            throw new InvalidOperationException($"at most {TlbEntry.MaxAsid + 1} processes per processor (one ASID each)");
        }

        var p = new BareProcess(pid, _processes.Count, source, _machinePages, shared);
        _processes.Add(p);
        return p;
    }

    public TrapOutcome OnQuantum(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_current < 0 || context.LocalPs >= _sliceEndPs)
        {
            int next = NextRunnable(_current);
            if (next >= 0 && next != _current)
            {
                return SwitchTo(next, context, 0);
            }

            _sliceEndPs = context.LocalPs + _os.TimeSlicePs;
        }

        return TrapOutcome.None;
    }

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (readOnly)
        {
            throw new InvalidOperationException($"bare OS: a store to 0x{virtualAddress:x} found a read-only mapping, but the bare OS maps every page writable");
        }

        var p = _processes[_current];
        long vpn = virtualAddress >> MachineConstants.PageShift;
        if (!p.TryTranslatePage(vpn, out _))
        {
            return Fault(p, vpn, context);
        }

        _refills++;
        long even = vpn & ~1L;
        long evenPage = p.TryTranslatePage(even, out long e) ? e : -1;
        long oddPage = p.TryTranslatePage(even + 1, out long o) ? o : -1;
        context.WriteTlb(new TlbEntry(vpn >> 1, p.Asid, evenPage, true, oddPage, true));
        return new TrapOutcome(_os.TlbRefillPs, ExecutionMode.Kernel);
    }

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _syscalls++;
        if (operation.Kind != OperationKind.DiskRead || _layout.Disks == 0)
        {
            return new TrapOutcome(_os.SyscallPs, ExecutionMode.Kernel);
        }

        _diskReadPending = true;
        _diskReadBuffer = operation.Value;
        _diskReadPages = Math.Clamp(operation.Count, 1, DiskRequest.MaxPages);
        return IssueDiskRead(context, _os.SyscallPs);
    }

    public TrapOutcome OnStreamEnd(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _syscalls++;
        _processes[_current].State = ProcessState.Exited;
        int next = NextRunnable(_current);
        if (next < 0)
        {
            _current = -1;
            return new TrapOutcome(_os.SyscallPs, ExecutionMode.Kernel);
        }

        return SwitchTo(next, context, _os.SyscallPs);
    }

    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case PageFaultReply r:
                if (!_faultPending || _current < 0 || r.Process != _processes[_current].Pid || r.Vpn != _faultVpn)
                {
                    throw new InvalidOperationException($"bare OS: unexpected page fault reply for process {r.Process} page {r.Vpn}");
                }

                _faultPending = false;
                _pageFaults++;
                var p = _processes[_current];
                p.Map(r.Vpn, r.Page.Value);
                return _diskReadPending ? IssueDiskRead(context, 0) : TrapOutcome.None;
            case DiskComplete d:
                _interrupts++;
                var waiting = _processes.Find(q => q.State == ProcessState.BlockedOnDisk && q.WaitingFor == d.RequestId)
                    ?? throw new InvalidOperationException($"bare OS: completion of unknown disk request {d.RequestId}");
                waiting.State = ProcessState.Runnable;
                waiting.WaitingFor = -1;
                if (_current < 0 && !_faultPending)
                {
                    return SwitchTo(_processes.IndexOf(waiting), context, _os.InterruptPs);
                }

                return StillWaiting(_os.InterruptPs);
            case HotPageInterrupt:
                _interrupts++;
                _hotPages++;
                return StillWaiting(_os.InterruptPs);
            default:
                throw new InvalidOperationException($"bare OS: unexpected {message.GetType().Name}");
        }
    }

    /// <summary>An interrupt taken while a page fault is outstanding does not end the wait.</summary>
    private TrapOutcome StillWaiting(long costPs) =>
        new(costPs, ExecutionMode.Kernel, _faultPending ? TrapAction.Wait : TrapAction.Continue);

    private TrapOutcome Fault(BareProcess p, long vpn, ISupervisorContext context)
    {
        _faultPending = true;
        _faultVpn = vpn;
        context.Send(_allocator, new PageFault(p.Pid, vpn, p.FaultKey(vpn), context.Node));
        return new TrapOutcome(0, ExecutionMode.Kernel, TrapAction.Wait);
    }

    /// <summary>Sends the pending file read once every buffer page is mapped (faulting them in first), then blocks the process.</summary>
    private TrapOutcome IssueDiskRead(ISupervisorContext context, long costPs)
    {
        var p = _processes[_current];
        long firstVpn = _diskReadBuffer >> MachineConstants.PageShift;
        var pages = new long[_diskReadPages];
        for (int i = 0; i < pages.Length; i++)
        {
            if (!p.TryTranslatePage(firstVpn + i, out pages[i]))
            {
                var fault = Fault(p, firstVpn + i, context);
                return fault with { CostPs = costPs };
            }
        }

        _diskReadPending = false;
        _diskReads++;
        long id = _nextRequest++;
        long sector = p.NextSector % Math.Max(1, _diskSectors - (pages.Length * _sectorsPerPage));
        p.NextSector = sector + (pages.Length * _sectorsPerPage);
        int disk = p.Pid % _layout.Disks;
        context.Send(_layout.Disk(disk), new DiskRequest(id, Write: false, sector, pages, context.Processor), costPs);
        p.State = ProcessState.BlockedOnDisk;
        p.WaitingFor = id;
        int next = NextRunnable(_current);
        if (next < 0)
        {
            _current = -1;
            return new TrapOutcome(costPs, ExecutionMode.Kernel);
        }

        return SwitchTo(next, context, costPs);
    }

    private TrapOutcome SwitchTo(int next, ISupervisorContext context, long costPs)
    {
        if (next != _current)
        {
            _switches++;
            costPs += _os.ContextSwitchPs;
        }

        _current = next;
        _sliceEndPs = context.LocalPs + costPs + _os.TimeSlicePs;
        return new TrapOutcome(costPs, ExecutionMode.Kernel);
    }

    /// <summary>The next runnable process after <paramref name="from"/> in round-robin order (may be <paramref name="from"/> itself), or -1.</summary>
    private int NextRunnable(int from)
    {
        int n = _processes.Count;
        for (int i = 1; i <= n; i++)
        {
            int k = ((from < 0 ? -1 : from) + i + n) % n;
            if (_processes[k].State == ProcessState.Runnable)
            {
                return k;
            }
        }

        return -1;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Int("current process", ref _current, -1, _processes.Count - 1);
        io.Long("slice end", ref _sliceEndPs, 0);
        io.Bool("fault pending", ref _faultPending);
        io.Long("fault page", ref _faultVpn, 0);
        io.Bool("disk read pending", ref _diskReadPending);
        io.Long("disk read buffer", ref _diskReadBuffer, 0);
        io.Int("disk read pages", ref _diskReadPages, 0, DiskRequest.MaxPages);
        io.Long("next disk request", ref _nextRequest, 0);
        io.Counter("page_faults", ref _pageFaults);
        io.Counter("disk_requests.issued", ref _diskReads);
        io.Counter("bare.tlb_refills", ref _refills);
        io.Counter("bare.syscalls", ref _syscalls);
        io.Counter("bare.context_switches", ref _switches);
        io.Counter("bare.interrupts", ref _interrupts);
        io.Counter("bare.hot_page_interrupts", ref _hotPages);

        // The processes are configured, not saved: a checkpoint must hold exactly as many.
        int processes = _processes.Count;
        io.Int("processes", ref processes, _processes.Count, _processes.Count);
        foreach (var p in _processes)
        {
            io.Part(p);
        }
    }
}
