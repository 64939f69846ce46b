using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The Disco monitor on one processor [D 4.2]: every trap and interrupt enters here first, in kernel mode, and goes
/// to its part: a TLB miss to the <see cref="TlbMissHandler"/>, a privileged instruction of the guest kernel
/// (supervisor mode) to the <see cref="PrivilegedEmulator"/>, disk and network completions to <see cref="VirtualIo"/>,
/// SMP VMs' lock traffic to <see cref="GuestLocks"/>; a system call is reflected to the guest. What stays here: the
/// VCPU scheduler for the VCPUs with affinity to this processor (a switch flushes the TLB), pmap grants, the
/// monitor's own code paths (page zeroing), and charging processor time to the VCPU that ran. Time spent here is
/// monitor time.
/// </summary>
public sealed class MonitorSupervisor : ISupervisor
{
    /// <summary>The NFS server of a run with the virtual network: VM 0.</summary>
    public const int NfsServerVm = VirtualIo.NfsServerVm;

    private readonly MonitorParams _m;
    private readonly int _lineBytes;
    private readonly List<Vcpu> _vcpus = [];
    private readonly GuestLocks _locks = new();
    private readonly VirtualIo _io;
    private readonly TlbMissHandler _tlbMisses;
    private readonly PrivilegedEmulator _emulator;

    // State (checkpointed, in this order, then the parts' and the VCPUs').
    private bool _booted;
    private VcpuScheduler _scheduler;
    private readonly long[] _seenPs = new long[CpuTimeBuckets.Count];
    private bool _awaiting;
    private long _hotPages;
    private readonly List<ExecutionStream> _monitorPaths = [];

    /// <param name="lineBytes">The L2 line size (<see cref="MachineParams.L2"/>): the monitor zeroes a page one line per store.</param>
    public MonitorSupervisor(MonitorParams monitor, MachineLayout layout, ComponentId pageManager, int lineBytes)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(lineBytes, 1);
        _m = monitor;
        _lineBytes = lineBytes;
        _scheduler = new VcpuScheduler(0, monitor.VcpuTimeSlicePs);
        _io = new VirtualIo(this, monitor, layout, pageManager);
        _tlbMisses = new TlbMissHandler(this, monitor, _io, pageManager);
        _emulator = new PrivilegedEmulator(this, monitor, _tlbMisses, _io);
    }

    public IReadOnlyList<Vcpu> Vcpus => _vcpus;

    public Vcpu? CurrentVcpu => _scheduler.Current.IsNone ? null : _vcpus[_scheduler.Current.Value];

    /// <summary>The VCPU this monitor numbers <paramref name="vcpu"/>.</summary>
    public Vcpu this[VcpuId vcpu] => _vcpus[vcpu.Value];

    /// <summary>Adds a VCPU of an SMP VM whose memlock is <paramref name="memlock"/>.</summary>
    public void Add(Vcpu vcpu, ComponentId memlock)
    {
        Add(vcpu);
        _locks.Add(vcpu.Vm, memlock);
    }

    public void Add(Vcpu vcpu)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        if (!vcpu.Kernel.Relocated || !vcpu.Kernel.MonitorZeroes)
        {
            throw new ArgumentException("a guest under the monitor runs relocated out of KSEG0 and asks the monitor for zeroed pages", nameof(vcpu));
        }

        _vcpus.Add(vcpu);
        _scheduler = new VcpuScheduler(_vcpus.Count, _m.VcpuTimeSlicePs);
    }

    /// <summary>The VCPU whose translations the hardware TLB holds (the last that ran).</summary>
    public Vcpu? TlbOwner => _scheduler.TlbOwner.IsNone ? null : _vcpus[_scheduler.TlbOwner.Value];

    public ExecutionStream? Current => _monitorPaths.Count > 0 ? _monitorPaths[^1] : CurrentVcpu?.Kernel.Current;

    public bool Halted => _monitorPaths.Count == 0 && _vcpus.TrueForAll(v => v.Kernel.Finished && !v.Kernel.InKernel);

    public TrapOutcome OnQuantum(ISupervisorContext context) => Finish(QuantumCore(context), context);

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        return Finish(_tlbMisses.OnMiss(GuestTrap(), virtualAddress, readOnly, context), context);
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
            ops.Add(Operation.Store(MachineConstants.Kseg0Base + (machinePage << MachineConstants.PageShift) + (i * _lineBytes), 8));
        }

        _monitorPaths.Add(new ExecutionStream(new KernelPath(KernelService.OtherSyscall, ops), ExecutionMode.Monitor, 0, kernelSegments: true));
    }

    /// <summary>A guest page now maps another machine page: every translation of the VCPU may hold the old one.</summary>
    internal void Shootdown(Vcpu v, ISupervisorContext context)
    {
        v.L2Tlb.FlushAll();
        if (TlbOwner == v)
        {
            context.Tlb.FlushAll();
        }
    }

    /// <summary>After every handler: SMP VMs' locks (<see cref="GuestLocks.Hold"/>).</summary>
    private TrapOutcome Finish(TrapOutcome outcome, ISupervisorContext context) =>
        _locks.Hold(outcome, CurrentVcpu, _monitorPaths.Count > 0, _vcpus, context);

    private TrapOutcome QuantumCore(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (!_booted)
        {
            _booted = true;
            foreach (var v in _vcpus)
            {
                v.Kernel.Boot(context.LocalPs);
            }
        }

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
            return InMonitor(_m.TrapPs + _m.ReflectPs);
        }

        v.Count(VcpuCounter.EmulatedPrivileged);
        return _emulator.Emulate(_scheduler.Current, operation, context, _m.TrapPs + _m.EmulatePrivilegedPs);
    }

    private TrapOutcome StreamEndCore(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (_monitorPaths.Count > 0)
        {
            _monitorPaths.RemoveAt(_monitorPaths.Count - 1);
            return InMonitor(0);
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
            cost = _m.TrapPs + _m.ReflectPs;
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
                var v = _vcpus.Find(x => x.Vm == g.Vm) ?? throw new InvalidOperationException($"monitor: pmap grant for VM {g.Vm}, which has no VCPU here");
                if (v.Grant(g.GuestPage, g.Page.Value, g.Writable))
                {
                    Shootdown(v, context);
                }

                _awaiting = false;
                return _emulator.RetryAfterFill(context) ?? InMonitor(0);
            }

            case VirtualDiskDone d:
                _io.OnDiskDone(d, context);
                outcome = InMonitor(_m.InterruptPs + _m.ReflectPs + (_awaiting ? 0 : Schedule(context, timeSlice: false)));
                break;
            case LockGrant grant:
                GuestLocks.OnGrant(grant, _vcpus, context);
                outcome = InMonitor(0);
                break;

            case NfsRequest n:
                _io.OnNfsRequest(n, context);
                outcome = InMonitor(_m.InterruptPs + _m.ReflectPs + (_awaiting ? 0 : Schedule(context, timeSlice: false)));
                break;
            case HotPageInterrupt:
                // Page migration and replication act on these (the NUMA experiments); this monitor takes and drops them.
                _hotPages++;
                outcome = InMonitor(0);
                break;
            default:
                throw new InvalidOperationException($"monitor: unexpected {message.GetType().Name}");
        }

        return _awaiting ? outcome with { Action = TrapAction.Wait } : outcome;
    }

    /// <summary>Runs the VCPU scheduler; a switch to another VM's VCPU flushes the hardware TLB and costs a VCPU switch.</summary>
    private long Schedule(ISupervisorContext context, bool timeSlice)
    {
        if (_monitorPaths.Count > 0 || _awaiting || _vcpus.Exists(x => x.LockPending))
        {
            return 0;
        }

        var decision = _scheduler.Schedule(context.LocalPs, k => _vcpus[k.Value].Runnable, timeSlice);
        if (!decision.FlushTlb)
        {
            return 0;
        }

        context.Tlb.FlushAll();
        if (_m.CheckInvariants && context.Tlb.ValidEntries != 0)
        {
            throw new InvalidOperationException("isolation: TLB entries survived a VCPU switch");
        }

        return _m.VcpuSwitchPs;
    }

    private Vcpu GuestTrap()
    {
        if (_monitorPaths.Count > 0)
        {
            throw new InvalidOperationException("monitor: its own code trapped");
        }

        var v = CurrentVcpu ?? throw new InvalidOperationException("monitor: trap with no VCPU running");
        v.Count(VcpuCounter.Traps);
        return v;
    }

    /// <summary>
    /// Charges the processor's time since the last trap to the VCPU that was running (per-VM time breakdown). Traps
    /// come at least every quantum, so at most the last quantum of a run goes uncharged.
    /// </summary>
    private void Account(ISupervisorContext context)
    {
        var time = context.TimePs;
        var running = CurrentVcpu;
        for (var bucket = CpuTimeBucket.User; bucket <= CpuTimeBucket.Stall; bucket++)
        {
            int b = (int)bucket;
            if (running is not null)
            {
                running.TimePs[b] += time[b] - _seenPs[b];
            }

            _seenPs[b] = time[b];
        }
    }

    /// <summary>The isolation invariant (<see cref="TlbMissHandler.CheckIsolation"/>).</summary>
    public static void CheckIsolation(Vcpu running, Hardware.Tlb.SoftwareTlb tlb) => TlbMissHandler.CheckIsolation(running, tlb);

    /// <summary>Each VCPU's counters and figures (the processor reports the monitor's own declared counters).</summary>
    public void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        foreach (var v in _vcpus)
        {
            v.ReportStats(sink);
        }
    }

    /// <summary>The monitor's own fields, its parts', then each VCPU's (whose counters <see cref="Vcpu.ReportStats"/> reports).</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Bool("booted", ref _booted);
        io.Part(_scheduler);
        io.Longs("time seen", _seenPs, 0);
        io.Bool("awaiting page manager", ref _awaiting);
        io.Counter("monitor.hot_page_interrupts", ref _hotPages);
        io.List("monitor paths", _monitorPaths, 64, static (ref StateIo io, ref ExecutionStream s) =>
        {
            if (io.IsLoading)
            {
                s = new ExecutionStream(new KernelPath(), ExecutionMode.Monitor, 0, kernelSegments: true);
            }

            io.Part(s);
        });
        io.Part(_io);
        io.Part(_emulator);
        if (!io.IsReporting)
        {
            foreach (var v in _vcpus)
            {
                io.Part(v);
            }
        }
    }
}
