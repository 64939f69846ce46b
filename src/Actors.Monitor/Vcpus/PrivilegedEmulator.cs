using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// Emulation of the guest kernel's privileged instructions [D 4.2.1]: a TLB write goes through the pmap (and the
/// second-level TLB), an ASID flush flushes both TLBs, and the monitor calls (start I/O, zero a page, send on the
/// virtual network) are done here. An instruction that needs a pmap fill first waits for it and is emulated again
/// when the fill arrives.
/// </summary>
public sealed class PrivilegedEmulator : IStateful
{
    private readonly MonitorSupervisor _monitor;
    private readonly MonitorParams _m;
    private readonly TlbMissHandler _translations;
    private readonly VirtualIo _io;

    // State (checkpointed, in this order): the instruction to emulate again after a pmap fill.
    private bool _hasRetry;
    private Operation _retry;
    private VcpuId _retryVcpu;

    public PrivilegedEmulator(MonitorSupervisor monitor, MonitorParams parameters, TlbMissHandler translations, VirtualIo io)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(translations);
        ArgumentNullException.ThrowIfNull(io);
        _monitor = monitor;
        _m = parameters;
        _translations = translations;
        _io = io;
    }

    /// <summary>What the instruction waiting for a pmap fill emulates, for the time split (trap work when none waits).</summary>
    public MonitorWork RetryWork => _hasRetry ? WorkOf(_retry) : MonitorWork.TrapsAndInterrupts;

    /// <summary>Which part of the paper's split [D Table 2] emulating <paramref name="operation"/> is.</summary>
    public static MonitorWork WorkOf(in Operation operation) => GuestPrivilegedOps.Decode(operation).Code switch
    {
        GuestPrivileged.TlbWrite => MonitorWork.TlbWriteEmulation,
        GuestPrivileged.StartIo or GuestPrivileged.ZeroPage or GuestPrivileged.NetSend or GuestPrivileged.ReleasePages => MonitorWork.MonitorCallsAndPageFaults,
        _ => MonitorWork.OtherPrivileged,
    };

    /// <summary>After a pmap fill: emulates again the instruction that waited for it; null when none did.</summary>
    public TrapOutcome? RetryAfterFill(ISupervisorContext context)
    {
        if (!_hasRetry)
        {
            return null;
        }

        _hasRetry = false;
        return Emulate(_retryVcpu, _retry, context, 0);
    }

    /// <summary>Emulates one privileged instruction of VCPU <paramref name="vcpu"/>'s guest kernel.</summary>
    public TrapOutcome Emulate(VcpuId vcpu, Operation operation, ISupervisorContext context, long cost)
    {
        ArgumentNullException.ThrowIfNull(context);
        var v = _monitor[vcpu];
        var (code, argument) = GuestPrivilegedOps.Decode(operation);
        switch (code)
        {
            case GuestPrivileged.TlbWrite:
            {
                // Charged once, when the write is done (a pmap fill in between retries the emulation).
                var (asid, vpn) = GuestPrivilegedOps.TlbTarget(argument);
                if (!_translations.WriteGuestEntry(v, asid, vpn, context, cost + _m.EmulateTlbWritePs))
                {
                    return Retry(vcpu, operation, cost);
                }

                cost += _monitor.Run(MonitorHandler.EmulateTlbWrite);
                v.Count(VcpuCounter.EmulatedTlbWrites);
                break;
            }

            case GuestPrivileged.TlbFlushAsid:
                context.Tlb.FlushAsid((int)argument);
                v.L2Tlb.FlushAsid((int)argument);
                break;
            case GuestPrivileged.StartIo:
                cost = _io.StartIo(vcpu, argument, context, cost);
                break;
            case GuestPrivileged.ZeroPage:
            {
                if (!_translations.Resolve(v, argument, out long page, context, cost))
                {
                    return Retry(vcpu, operation, cost);
                }

                cost += _monitor.MonitorCall(v);
                _monitor.TouchMemmap(page, store: false);
                v.Count(VcpuCounter.MonitorCalls);
                v.Count(VcpuCounter.ZeroedPages);
                _monitor.ZeroPage(page);
                break;
            }

            case GuestPrivileged.ReleasePages:
                cost += _m.MonitorCallPs;
                v.Count(VcpuCounter.MonitorCalls);
                Release(v, v.Kernel.ReleasedPages((int)argument), context, cost);
                break;
            case GuestPrivileged.NetSend:
                if (!_io.SendNfsReply(v, argument, _translations, context, ref cost))
                {
                    return Retry(vcpu, operation, cost);
                }

                break;
            default:
                break;
        }

        return MonitorSupervisor.InMonitor(cost);
    }

    /// <summary>
    /// The guest freed <paramref name="guestPages"/>: this VCPU forgets them at once (cached pmap entries, every
    /// second-level and hardware TLB entry of their machine pages, the kernel segment's included), so it can never
    /// reach the machine page again; the page manager unmaps them, shoots down the VM's other VCPUs and frees them.
    /// </summary>
    private void Release(Vcpu v, long[] guestPages, ISupervisorContext context, long costPs)
    {
        if (guestPages.Length == 0)
        {
            return;
        }

        var machinePages = new List<long>();
        foreach (long g in guestPages)
        {
            if (v.TryMachinePage(g, out long page))
            {
                machinePages.Add(page);
                v.Drop(g);
            }
        }

        v.L2Tlb.Invalidate(machinePages);
        TlbMissHandler.Invalidate(context.Tlb, [.. machinePages]);
        context.Send(_translations.PageManager, new Memory.PageRelease(v.Vm, v.Index, guestPages), costPs);
    }

    private TrapOutcome Retry(VcpuId vcpu, Operation operation, long cost)
    {
        _hasRetry = true;
        _retry = operation;
        _retryVcpu = vcpu;
        return MonitorSupervisor.WaitInMonitor(cost);
    }

    public void DeclareState(ref StateIo io)
    {
        io.Bool("has retry", ref _hasRetry);
        io.Value("retry operation", ref _retry);

        int retryVcpu = _retryVcpu.Value;
        io.Int("retry vcpu", ref retryVcpu, 0, int.MaxValue);
        _retryVcpu = new VcpuId(retryVcpu);
    }
}
