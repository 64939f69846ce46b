using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Memory;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The monitor on the machine: each handler that runs charges its instructions (one cycle each) and leaves its code
/// lines, in this node's copy of the monitor's code (or node 0's), and its data lines in the monitor's memory
/// (<see cref="MonitorMemory"/>) in <see cref="MonitorFootprint"/>, which the processor goes through next, in
/// monitor mode, before the guest runs again: the monitor's own misses, local or remote, are its stall.
/// </summary>
public sealed partial class MonitorSupervisor
{
    // Where a handler's data sits in a VCPU's saved state: the registers a trap saves and restores (two lines), the
    // privileged state an emulation reads, the exception frame a reflection writes, the interrupts pending.
    private const int TrapFrameOffset = 0;
    private const int PrivilegedStateOffset = 128;
    private const int ExceptionFrameOffset = 192;
    private const int InterruptStateOffset = 256;

    /// <summary>The lines of VCPU state a switch reads in (the registers and privileged state).</summary>
    private const int SwitchStateBytes = 256;

    /// <summary>True while the footprint stream is the processor's (it has lines, or it is ending).</summary>
    private bool _footprintRuns;

    /// <summary>The last handler left lines: the monitor stall up to the next trap is its own (Table 2's split).</summary>
    private bool _lastFootprint;

    /// <summary>Where the monitor's code and data are (for tests).</summary>
    internal MonitorMemory Memory => _memory;

    /// <summary>Lines of the handlers' footprint not yet through the caches (for tests).</summary>
    internal int FootprintLines => _footprint.Count;

    /// <summary>Runs <paramref name="handler"/> <paramref name="times"/> times (a loop over its code): its cost, and its code lines once.</summary>
    internal long Run(MonitorHandler handler, int times = 1)
    {
        long ps = _m.HandlerPs(handler) * times;
        long code = _memory.CodeAddress(_node);
        if (code < 0 || times <= 0)
        {
            return ps;
        }

        int bytes = 4 * _m.Instructions(handler);
        long start = code + _m.TextOffset(handler);
        for (int at = 0; at < bytes; at += _fetchLineBytes)
        {
            _footprint.Fetch(start + at, Math.Min(_fetchLineBytes, bytes - at));
        }

        return ps;
    }

    /// <summary>Entering the monitor from VCPU <paramref name="v"/>'s guest and back: the trap code and the registers saved.</summary>
    internal long Trap(Vcpu v)
    {
        TouchVcpuState(v.Index, TrapFrameOffset, 2 * _fetchLineBytes, store: true);
        return Run(MonitorHandler.Trap);
    }

    /// <summary>A trap delivered to VCPU <paramref name="v"/>'s guest: the reflection code and the exception frame written.</summary>
    internal long Reflect(Vcpu v)
    {
        TouchVcpuState(v.Index, ExceptionFrameOffset, 8, store: true);
        return Run(MonitorHandler.Reflect);
    }

    /// <summary>A privileged instruction of VCPU <paramref name="v"/> decoded and emulated on its privileged state.</summary>
    internal long EmulatePrivileged(Vcpu v)
    {
        TouchVcpuState(v.Index, PrivilegedStateOffset, 8, store: false);
        return Run(MonitorHandler.EmulatePrivileged);
    }

    /// <summary>An interrupt taken, for VCPU <paramref name="v"/> when it is loaded here (its pending-interrupt state).</summary>
    internal long Interrupt(Vcpu? v)
    {
        if (v is not null)
        {
            TouchVcpuState(v.Index, InterruptStateOffset, 8, store: true);
        }

        return Run(MonitorHandler.Interrupt);
    }

    /// <summary>A monitor call of VCPU <paramref name="v"/>: its code and the arguments read from the VCPU's state.</summary>
    internal long MonitorCall(Vcpu v)
    {
        TouchVcpuState(v.Index, TrapFrameOffset, 8, store: false);
        return Run(MonitorHandler.MonitorCall);
    }

    /// <summary>A switch to VCPU <paramref name="vcpu"/> (-1: none loaded): its code and the state read in.</summary>
    private long Switch(int vcpu)
    {
        if (vcpu >= 0)
        {
            TouchVcpuState(vcpu, TrapFrameOffset, SwitchStateBytes, store: false);
        }

        return Run(MonitorHandler.VcpuSwitch);
    }

    /// <summary>VCPU <paramref name="v"/>'s second-level TLB slot for (<paramref name="asid"/>, <paramref name="vpn"/>), read or written.</summary>
    internal void TouchL2Tlb(Vcpu v, int asid, long vpn, bool store) => Touch(_memory.L2TlbEntry(v.Index, v.L2Tlb.SlotOf(asid, vpn)), _m.L2TlbEntryBytes, store);

    /// <summary>VM <paramref name="vm"/>'s pmap entry of <paramref name="guestPage"/>, read or written.</summary>
    internal void TouchPmap(int vm, long guestPage, bool store) => Touch(_memory.PmapEntry(vm, guestPage), _m.PmapEntryBytes, store);

    /// <summary>The memmap entry of <paramref name="machinePage"/>, read or written.</summary>
    internal void TouchMemmap(long machinePage, bool store) => Touch(_memory.MemmapEntry(machinePage), _m.MemmapEntryBytes, store);

    private void TouchVcpuState(int vcpu, int offset, int bytes, bool store)
    {
        for (int at = 0; at < bytes; at += _fetchLineBytes)
        {
            Touch(_memory.VcpuState(vcpu, offset + at), Math.Min(8, bytes - at), store);
        }
    }

    private void Touch(long address, int bytes, bool store)
    {
        if (address >= 0 && bytes > 0)
        {
            _footprint.Touch(address, bytes, store);
        }
    }

    /// <summary>
    /// After a handler: its lines go through the caches before anything else runs here. A wait for the page manager
    /// the handler started waits until they are done (the stream's end waits again, as a monitor path's does).
    /// </summary>
    private TrapOutcome StartFootprint(TrapOutcome outcome)
    {
        if (!_footprint.Pending)
        {
            return outcome;
        }

        _footprintRuns = true;
        return outcome.Action == TrapAction.Wait && _awaiting && outcome.WaitMode is null && !outcome.WaitIdle
            ? outcome with { Action = TrapAction.Continue }
            : outcome;
    }

    /// <summary>The footprint's stream ended: what was waited for before it, waits now.</summary>
    private TrapOutcome EndFootprint()
    {
        _footprintRuns = false;
        return _awaiting && _monitorPaths.Count == 0 ? WaitInMonitor(0) : InMonitor(0);
    }
}
