using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;
using Disco.Actors.Monitor.Vms;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The Disco monitor on one processor [D 4.2]: every trap and interrupt enters here first, in kernel mode, and goes
/// to its part: a TLB miss to the <see cref="TlbMissHandler"/>, a privileged instruction of the guest kernel
/// (supervisor mode) to the <see cref="PrivilegedEmulator"/>, disk and network completions to <see cref="VirtualIo"/>,
/// SMP VMs' lock traffic to <see cref="GuestLocks"/>; a system call is reflected to the guest. What stays here: the
/// VCPU scheduler (it holds at most one VCPU, the loaded one, whose state came by <see cref="VcpuDispatch"/>; the
/// others are parked in their components), pmap grants, the monitor's own code paths (page zeroing), and charging
/// processor time to the VCPU that ran. Time spent here is monitor time.
/// </summary>
public sealed partial class MonitorSupervisor : ISupervisor
{
    /// <summary>The NFS server of a run with the virtual network: VM 0.</summary>
    public const int NfsServerVm = VirtualIo.NfsServerVm;

    private readonly MonitorParams _m;
    private readonly int _lineBytes;
    private readonly MonitorIds _ids;
    private readonly GuestLocks _locks = new();
    private readonly VirtualIo _io;
    private readonly TlbMissHandler _tlbMisses;
    private readonly PrivilegedEmulator _emulator;
    private readonly Func<int, Vcpu> _shell;
    private readonly MonitorMemory _memory;
    private readonly int _node;
    private readonly int _fetchLineBytes;
    private readonly MonitorFootprint _footprint = new();
    private readonly ExecutionStream _footprintStream;

    // State (checkpointed, in this order, then the parts' and the loaded VCPU's).
    private readonly VcpuScheduler _scheduler;
    private Vcpu? _loaded;
    private bool _recall;
    private readonly long[] _seenPs = new long[CpuTimeBuckets.Count];
    private bool _awaiting;
    private long _hotPages;
    private long _numaInterruptPs;
    private long _bounced;
    private long _shootdowns;
    private readonly List<ExecutionStream> _monitorPaths = [];

    // The time split [D Table 2]: the stall seen so far by mode; the work the running handler does (its cost) and
    // the work a wait it starts is (a pmap fill is a page fault); the last handler's, charged at the next trap.
    private readonly long[] _seenStallPs = new long[3];
    [Transient("set at the start of every handler, before it is read")]
    private MonitorWork _work;
    [Transient("set at the start of every handler, before it is read")]
    private MonitorWork _waitWork;
    private MonitorWork _lastWork;
    private MonitorWork _lastWaitWork;
    private long _lastCostPs;
    private bool _lastWaited;

    /// <param name="lineBytes">The L2 line size (<see cref="MachineParams.L2"/>): the monitor zeroes a page one line per store.</param>
    /// <param name="shell">Builds VCPU i as the model built it (a checkpoint's loaded VCPU is read back into it).</param>
    /// <param name="memory">Where the monitor's code and data are in machine memory.</param>
    /// <param name="node">This processor's node: its handlers fetch from that node's copy of the code, if any.</param>
    /// <param name="fetchLineBytes">The L1 line size: a handler's code and data go through the caches one such line per access.</param>
    public MonitorSupervisor(MonitorParams monitor, MachineLayout layout, MonitorIds ids, int lineBytes, Func<int, Vcpu> shell, MonitorMemory memory, int node, int fetchLineBytes)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(fetchLineBytes, 1);
        _memory = memory;
        _node = node;
        _fetchLineBytes = fetchLineBytes;
        _footprintStream = new ExecutionStream(_footprint, ExecutionMode.Monitor, 0, kernelSegments: true);
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(shell);
        ArgumentOutOfRangeException.ThrowIfLessThan(lineBytes, 1);
        _m = monitor;
        _lineBytes = lineBytes;
        _ids = ids;
        _shell = shell;
        _scheduler = new VcpuScheduler(monitor.VcpuTimeSlicePs);
        _io = new VirtualIo(this, monitor, layout, ids);
        _tlbMisses = new TlbMissHandler(this, monitor, _io, ids.PageManager);
        _emulator = new PrivilegedEmulator(this, monitor, _tlbMisses, _io);
    }

    /// <summary>The VCPU whose state is on this processor (at most one), null when none.</summary>
    public Vcpu? Loaded => _loaded;

    /// <summary>The loaded VCPU while it runs (null: none, or it idles and stays loaded until another wants the processor).</summary>
    public Vcpu? CurrentVcpu => _scheduler.Running ? _loaded : null;

    /// <summary>A request to the page manager is under way: the loaded VCPU does not run before its reply.</summary>
    public bool AwaitingPageManager => _awaiting;

    /// <summary>The VCPU scheduler's view (for tests).</summary>
    public VcpuScheduler Scheduler => _scheduler;

    /// <summary>The loaded VCPU, which must be <paramref name="vcpu"/>.</summary>
    public Vcpu this[VcpuId vcpu] => _loaded is { } v && v.Index == vcpu.Value
        ? v
        : throw new InvalidOperationException($"monitor: VCPU {vcpu} is not loaded here (loaded: {_loaded?.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})");

    /// <summary>SMP VMs: VM <paramref name="vm"/>'s region semaphore component.</summary>
    public void AddSemaphore(int vm, ComponentId semaphore) => _locks.Add(vm, semaphore);

    /// <summary>At build: <paramref name="vcpu"/> has affinity to this processor, loaded here or parked in its component.</summary>
    public void Place(Vcpu vcpu, bool loaded)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        if (!vcpu.Kernel.Relocated || !vcpu.Kernel.MonitorZeroes)
        {
            throw new ArgumentException("a guest under the monitor runs relocated out of KSEG0 and asks the monitor for zeroed pages", nameof(vcpu));
        }

        _scheduler.Place(vcpu.Index, loaded);
        if (loaded)
        {
            _loaded = vcpu;
        }
    }

    /// <summary>The VCPU whose translations the hardware TLB holds (the last that ran), when it is loaded here.</summary>
    public Vcpu? TlbOwner => _loaded is { } v && v.Index == _scheduler.TlbOwner ? v : null;

    public ExecutionStream? Current => _footprintRuns ? _footprintStream : _monitorPaths.Count > 0 ? _monitorPaths[^1] : CurrentVcpu?.Kernel.Current;

    public bool Halted => !MonitorCodeRuns && _scheduler.Done(_loaded?.Finished ?? true);

    /// <summary>The monitor's own code runs here before anything else: a handler's lines, a page zeroing or copy.</summary>
    private bool MonitorCodeRuns => _footprintRuns || _monitorPaths.Count > 0;

    public TrapOutcome OnQuantum(ISupervisorContext context) => Finish(QuantumCore(context), context);

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        var v = GuestTrap();
        _work = v.Kernel.InKernel ? MonitorWork.KernelTlbFaults : MonitorWork.TrapsAndInterrupts;
        return Finish(_tlbMisses.OnMiss(v, virtualAddress, readOnly, context), context);
    }

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context) => Finish(PrivilegedCore(operation, context), context);

    public TrapOutcome OnStreamEnd(ISupervisorContext context) => Finish(StreamEndCore(context), context);

    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context) => Finish(MessageCore(message, context), context);

    internal static TrapOutcome InMonitor(long cost) => new(cost, ExecutionMode.Monitor);

    /// <summary>The handler ran <paramref name="cost"/> and the processor waits for a reply to what it sent.</summary>
    internal static TrapOutcome WaitInMonitor(long cost) => new(cost, ExecutionMode.Monitor, TrapAction.Wait);

    /// <summary>A request went to the page manager: nothing runs on this processor before its reply.</summary>
    internal void AwaitPageManager() => _awaiting = true;

    /// <summary>The monitor zeroes a machine page with stores through its own unmapped segment (it must, for isolation).</summary>
    internal void ZeroPage(long machinePage)
    {
        int stores = MachineConstants.PageSizeBytes / _lineBytes;
        var ops = new List<Operation>(stores);
        for (int i = 0; i < stores; i++)
        {
            ops.Add(Operation.Store(LineOf(machinePage, i), 8));
        }

        _monitorPaths.Add(new ExecutionStream(new KernelPath(KernelService.OtherSyscall, ops), ExecutionMode.Monitor, 0, kernelSegments: true));
    }

    /// <summary>A guest page now maps another machine page: every translation of the VCPU may hold the old one.</summary>
    internal void Shootdown(Vcpu v, ISupervisorContext context)
    {
        v.L2Tlb.FlushAll();
        if (_scheduler.TlbOwner == v.Index)
        {
            context.Tlb.FlushAll();
        }
    }

    /// <summary>After every handler: SMP VMs' locks (<see cref="GuestLocks.Hold"/>).</summary>
    private TrapOutcome Finish(TrapOutcome outcome, ISupervisorContext context)
    {
        var held = StartFootprint(_locks.Hold(outcome, CurrentVcpu, MonitorCodeRuns || _footprint.Pending, _loaded, context));
        _lastFootprint = _footprint.Pending;
        SendRunQueue(_loaded, context, held.CostPs);
        _lastWork = _work;
        _lastWaitWork = _waitWork;
        _lastCostPs = held.CostPs;
        _lastWaited = held.Action == TrapAction.Wait;
        return held;
    }

    private TrapOutcome QuantumCore(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        _loaded?.Boot(context.LocalPs);
        CurrentVcpu?.Kernel.OnQuantum(context.LocalPs);
        return InMonitor(Schedule(context, timeSlice: true));
    }

    private TrapOutcome PrivilegedCore(in Operation operation, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (_locks.TryUnlock(CurrentVcpu, operation, context))
        {
            // A store to the lock word: no trap.
            return InMonitor(0);
        }

        var v = GuestTrap();
        if (!v.Kernel.InKernel)
        {
            v.Count(VcpuCounter.ReflectedTraps);
            v.Kernel.OnSyscall(operation, context.LocalPs);
            return InMonitor(Trap(v) + Reflect(v));
        }

        v.Count(VcpuCounter.EmulatedPrivileged);
        _work = PrivilegedEmulator.WorkOf(operation);
        return _emulator.Emulate(new VcpuId(v.Index), operation, context, Trap(v) + EmulatePrivileged(v));
    }

    private TrapOutcome StreamEndCore(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (_footprintRuns)
        {
            return EndFootprint();
        }

        if (_monitorPaths.Count > 0)
        {
            var ended = (KernelPath)_monitorPaths[^1].Source;
            _monitorPaths.RemoveAt(_monitorPaths.Count - 1);
            OnMonitorPathEnd(ended, context);
            _work = MonitorWork.MonitorCallsAndPageFaults;
            return _awaiting && _monitorPaths.Count == 0 ? WaitInMonitor(0) : InMonitor(0);
        }

        var v = CurrentVcpu ?? throw new InvalidOperationException("monitor: stream end with no VCPU running");
        long cost = 0;
        if (v.Kernel.InKernel)
        {
            _locks.OnPathEnd(v, context);
        }
        else
        {
            // exit() is a system call: it traps and is reflected like any other.
            v.Count(VcpuCounter.Traps);
            v.Count(VcpuCounter.ReflectedTraps);
            cost = Trap(v) + Reflect(v);
            v.Kernel.OnProcessEnd(context.LocalPs);
        }

        return InMonitor(cost + Schedule(context, timeSlice: false));
    }

    private TrapOutcome MessageCore(ISimMessage message, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        TrapOutcome outcome;
        switch (message)
        {
            case MachinePageGrant g:
            {
                var v = _loaded is { } l && l.Vm == g.Vm ? l : throw new InvalidOperationException($"monitor: pmap grant for VM {g.Vm}, whose VCPU is not loaded here");
                // The fill writes the pmap entry and reads the machine page's memmap entry (its back-map).
                TouchPmap(g.Vm, g.GuestPage, store: true);
                TouchMemmap(g.Page.Value, store: false);
                if (v.Grant(g.GuestPage, g.Page.Value, g.Writable))
                {
                    Shootdown(v, context);
                }

                _awaiting = false;
                _work = _emulator.RetryWork;
                return _emulator.RetryAfterFill(context) ?? InMonitor(0);
            }

            case ProcessGive or RunQueueThieves or ProcessReturn when _loaded is not { } l || l.Index != RunQueueVcpu(message):
                // For a VCPU that left before it came: back to its component (see the virtual interrupts below).
                _bounced++;
                context.Send(_ids.Vcpu(RunQueueVcpu(message)), message);
                outcome = InMonitor(_m.InterruptPs);
                break;
            case ProcessGive or RunQueueThieves or ProcessReturn:
                Deliver(message, _loaded!, context);
                outcome = InMonitor(_m.InterruptPs + _m.ReflectPs + (_awaiting ? 0 : Schedule(context, timeSlice: false)));
                break;
            case VirtualDiskDone or NfsRequest when Target(message) is not { } v:
                // Posted to a VCPU that left before it came: back to its component, which has it (or will).
                _bounced++;
                context.Send(_ids.Vcpu(InterruptVcpu(message)), message);
                outcome = InMonitor(Interrupt(null));
                break;
            case VirtualDiskDone or NfsRequest:
                Deliver(message, _loaded!, context);
                outcome = InMonitor(Interrupt(_loaded) + Reflect(_loaded!) + (_awaiting ? 0 : Schedule(context, timeSlice: false)));
                break;
            case TlbShootdown s:
                outcome = InMonitor(OnShootdown(s, context));
                break;
            case LockGrant grant:
                GuestLocks.OnGrant(grant, _loaded, context);
                outcome = InMonitor(0);
                break;
            case VcpuDispatch d:
                outcome = InMonitor(OnDispatch(d.State, context));
                break;
            case VcpuReady r:
                _scheduler.Ready(r.Vcpu);
                outcome = InMonitor(_awaiting ? 0 : Schedule(context, timeSlice: false));
                break;
            case VcpuRecall r:
                _recall |= _loaded?.Index == r.Vcpu;
                outcome = InMonitor(_awaiting ? 0 : Schedule(context, timeSlice: false));
                break;
            case VcpuLeave l:
                _scheduler.Leave(l.Vcpu);
                outcome = InMonitor(_awaiting ? 0 : Schedule(context, timeSlice: false));
                break;
            case HotPageInterrupt hot:
                outcome = OnHotPage(hot, context);
                break;
            case Numa.PageCopyRequest copy:
                // Not held behind a wait for the page manager: see OnPageCopy.
                return OnPageCopy(copy, context);
            default:
                throw new InvalidOperationException($"monitor: unexpected {message.GetType().Name}");
        }

        // The monitor's own code runs first, even while the loaded VCPU waits (see OnPageCopy); then the wait goes on.
        return _awaiting && !MonitorCodeRuns && !_footprint.Pending ? outcome with { Action = TrapAction.Wait } : outcome;
    }

    /// <summary>The VCPU a virtual interrupt is for: a disk completion names it; an NFS request is for the server VM's.</summary>
    private int InterruptVcpu(ISimMessage interrupt) => interrupt switch
    {
        VirtualDiskDone d => d.RequestId.Vcpu.Value,
        NfsRequest => _ids.NfsServerVcpu,
        _ => throw new InvalidOperationException($"monitor: {interrupt.GetType().Name} is not a virtual interrupt"),
    };

    private Vcpu? Target(ISimMessage interrupt) => _loaded is { } v && v.Index == InterruptVcpu(interrupt) ? v : null;

    /// <summary>A virtual interrupt reaches the loaded VCPU's guest.</summary>
    private void Deliver(ISimMessage interrupt, Vcpu v, ISupervisorContext context)
    {
        switch (interrupt)
        {
            case VirtualDiskDone d:
                _io.OnDiskDone(d, v, context);
                break;
            case NfsRequest n:
                VirtualIo.OnNfsRequest(n, v, context);
                break;
            case ProcessGive or RunQueueThieves or ProcessReturn:
                DeliverRunQueue(interrupt, v, context);
                break;
            default:
                throw new InvalidOperationException($"monitor: {interrupt.GetType().Name} is not a virtual interrupt");
        }
    }

    /// <summary>
    /// A TLB shootdown's inter-processor interrupt (at the monitor's interrupt cost): the loaded VCPU drops its
    /// cached pmap, second-level and hardware TLB entries of the old mapping and acknowledges; for a VCPU that left
    /// before it came, it goes back to the VCPU's component, which has the parked state by then (same link, FIFO).
    /// </summary>
    private long OnShootdown(TlbShootdown s, ISupervisorContext context)
    {
        if (_loaded is not { } v || v.Index != s.Vcpu)
        {
            _bounced++;
            context.Send(_ids.Vcpu(s.Vcpu), s);
            return Interrupt(null);
        }

        _shootdowns++;
        v.Invalidate(s.GuestPages, s.MachinePages);
        if (_scheduler.TlbOwner == v.Index)
        {
            TlbMissHandler.Invalidate(context.Tlb, s.MachinePages);
        }

        context.Send(_ids.PageManager, new TlbShootdownAck(s.Id, s.Vcpu));
        return Interrupt(v);
    }

    private Vcpu GuestTrap()
    {
        if (MonitorCodeRuns)
        {
            throw new InvalidOperationException("monitor: its own code trapped");
        }

        var v = CurrentVcpu ?? throw new InvalidOperationException("monitor: trap with no VCPU running");
        v.Count(VcpuCounter.Traps);
        return v;
    }

    /// <summary>The isolation invariant (<see cref="TlbMissHandler.CheckIsolation"/>).</summary>
    public static void CheckIsolation(Vcpu running, Hardware.Tlb.SoftwareTlb tlb) => TlbMissHandler.CheckIsolation(running, tlb);

    /// <summary>The loaded VCPU's counters and figures, on its component's behalf (they count under <c>monitor.vcpu</c>).</summary>
    public void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_loaded is { } v)
        {
            VcpuComponent.Report(v, sink.On(_ids.Vcpu(v.Index)));
        }
    }

    /// <summary>The monitor's own fields, its parts', then the loaded VCPU's (reported by <see cref="ReportStats"/>).</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Part(_scheduler);
        io.Bool("recall", ref _recall);
        io.Longs("time seen", _seenPs, 0);
        io.Longs("stall seen", _seenStallPs, 0);
        io.Enum("last work", ref _lastWork);
        io.Enum("last wait work", ref _lastWaitWork);
        io.Long("last cost", ref _lastCostPs, 0);
        io.Bool("last waited", ref _lastWaited);
        io.Bool("awaiting page manager", ref _awaiting);
        io.Counter("monitor.hot_page_interrupts", ref _hotPages);
        io.Counter("monitor.numa.interrupt_ps", ref _numaInterruptPs);
        io.Counter("monitor.interrupts_bounced", ref _bounced);
        io.Counter("monitor.shootdown_interrupts", ref _shootdowns);
        io.List("monitor paths", _monitorPaths, 64, static (ref StateIo io, ref ExecutionStream s) =>
        {
            if (io.IsLoading)
            {
                s = new ExecutionStream(new KernelPath(), ExecutionMode.Monitor, 0, kernelSegments: true);
            }

            io.Part(s);
        });
        io.Bool("footprint runs", ref _footprintRuns);
        io.Bool("last footprint", ref _lastFootprint);
        io.Part(_footprintStream);
        io.Part(_emulator);
        if (io.IsReporting)
        {
            return;
        }

        if (io.IsLoading)
        {
            _loaded = _scheduler.Loaded >= 0 ? _shell(_scheduler.Loaded) : null;
        }

        if (_loaded is not null)
        {
            io.Part(_loaded);
        }
    }
}
