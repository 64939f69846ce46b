using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>The VCPU scheduler's side of the monitor on this processor: a VCPU's state arriving, and the switches between VCPUs.</summary>
public sealed partial class MonitorSupervisor
{
    /// <summary>
    /// The state asked for arrived: the VCPU is loaded and runs; a switch from another VCPU flushes the hardware TLB
    /// and costs <c>vcpu-switch</c>; the interrupts posted while it was parked are delivered now, each at the
    /// monitor's interrupt cost. Returns the cost.
    /// </summary>
    private long OnDispatch(Vcpu v, ISupervisorContext context)
    {
        long cost = 0;
        if (_scheduler.Arrived(v.Index, context.LocalPs))
        {
            cost += FlushForSwitch(context, v.Index);
        }

        _loaded = v;

        // Shootdowns that reached it parked could not reach this TLB, which it may find again unflushed.
        TlbMissHandler.Invalidate(context.Tlb, v.TakeStaleInTlb());
        v.Boot(context.LocalPs);
        if (v.PendingInterrupts.Count > 0)
        {
            ISimMessage[] pending = [.. v.PendingInterrupts];
            v.PendingInterrupts.Clear();
            foreach (var interrupt in pending)
            {
                Deliver(interrupt, v, context);
                cost += Interrupt(v) + Reflect(v);
            }
        }

        return cost + (_awaiting ? 0 : Schedule(context, timeSlice: false));
    }

    /// <summary>
    /// Runs the VCPU scheduler: hands the loaded VCPU back when another wants the processor (or it must move),
    /// asks for the next one's state, and when the loaded VCPU runs again after another ran, flushes the hardware
    /// TLB (a VCPU switch). No switch while the page manager's answer is awaited, in a monitor path, or while the
    /// loaded VCPU waits for its VM's region semaphore (a VCPU spinning on the memlock, a word in memory, is no
    /// exception: its processor looks again every quantum, so its time slice ends as any other's).
    /// </summary>
    private long Schedule(ISupervisorContext context, bool timeSlice)
    {
        if (_monitorPaths.Count > 0 || _awaiting || _loaded is { LockPending: true })
        {
            return 0;
        }

        var loaded = _loaded;
        var decision = _scheduler.Schedule(context.LocalPs, loaded?.Runnable ?? false, loaded?.Finished ?? false, _recall, timeSlice);
        if (decision.Park >= 0)
        {
            SendRunQueue(loaded, context, 0);
            context.Send(_ids.Vcpu(decision.Park), new VcpuPark(loaded!, _ids.Vcpu(decision.Park)));
            _loaded = null;
            _recall = false;
        }

        if (decision.Fetch >= 0)
        {
            context.Send(_ids.Vcpu(decision.Fetch), new VcpuFetch(decision.Fetch, context.Node.Value));
        }

        return decision.FlushTlb ? FlushForSwitch(context, _loaded?.Index ?? -1) : 0;
    }

    /// <summary>A switch to VCPU <paramref name="vcpu"/> (-1: none loaded yet): the hardware TLB flushed, its state read in.</summary>
    private long FlushForSwitch(ISupervisorContext context, int vcpu)
    {
        context.Tlb.FlushAll();
        if (_m.CheckInvariants && context.Tlb.ValidEntries != 0)
        {
            throw new InvalidOperationException("isolation: TLB entries survived a VCPU switch");
        }

        return Switch(vcpu);
    }
}
