using Disco.Actors.Engine.Model;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// No VCPU translates through a mapping the monitor replaced: every cached pmap entry, second-level TLB entry and
/// (on the processor whose TLB it owns) hardware TLB entry of every VCPU agrees with the page manager's pmap (or maps a
/// live read-only replica of the page the pmap maps), except entries a shootdown under way has not reached yet, and
/// those of a VCPU that waits for the page manager's answer (it does not run before it). A replica collapsed or freed
/// is no longer live: an entry of it left anywhere is a violation.
/// </summary>
internal static class ShootdownInvariant
{
    /// <summary>
    /// False when the next event goes to a directory or a memory controller: their handlers touch no pmap and no TLB
    /// (they only send messages), so the invariant cannot change there and checking after it would repeat the last
    /// check. Most events of a run are theirs.
    /// </summary>
    public static bool MayChange(SimulationModel model, Engine.Kernel.EventLoop loop) =>
        loop.PendingEvents == 0 || model.Components[loop.Queue.Peek().Target] is not (Hardware.Coherence.DirectoryComponent or Hardware.Memory.MemoryControllerComponent);

    public static string? Violation(SimulationModel model)
    {
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        var pages = manager.Pages;
        var shootdowns = manager.Shootdowns;
        var waiting = new HashSet<int>();
        var owners = new List<(Vcpu Vcpu, ProcessorComponent Processor)>();
        foreach (var p in model.Components.OfType<ProcessorComponent>())
        {
            if (p.Supervisor is MonitorSupervisor m)
            {
                if (m.AwaitingPageManager && m.Loaded is { } l)
                {
                    waiting.Add(l.Index);
                }

                if (m.TlbOwner is { } owner)
                {
                    owners.Add((owner, p));
                }
            }
        }

        foreach (var v in GuestMachine.Vcpus(model).Where(v => !waiting.Contains(v.Index)))
        {
            foreach (var (g, e) in v.CachedPmap)
            {
                bool agrees = pages.TryMapping(v.Vm, g, out long now, out bool writable)
                    && (now == e.MachinePage || (manager.Replicas.TryMasterOf(e.MachinePage, out long master) && master == now))
                    && (writable || !e.Writable);
                if (!agrees && !shootdowns.Exempts(v.Vm, v.Index, g, e.MachinePage))
                {
                    return $"VCPU {v.Index} (VM {v.Vm}) caches guest page {g} → machine page {e.MachinePage} (writable {e.Writable}); the pmap has {(now >= 0 ? $"{now} (writable {writable})" : "none")}";
                }
            }

            foreach (var t in v.L2Tlb.Translations())
            {
                if (!Given(manager, v.Vm, t.MachinePage, t.Writable) && !shootdowns.Exempts(v.Vm, v.Index, -1, t.MachinePage))
                {
                    return $"VCPU {v.Index} (VM {v.Vm}): its second-level TLB maps ASID {t.Asid} page {t.Vpn} → machine page {t.MachinePage} (writable {t.Writable}), which the pmap does not give it";
                }
            }
        }

        foreach (var (v, p) in owners.Where(o => !waiting.Contains(o.Vcpu.Index)))
        {
            foreach (var e in p.Tlb.Contents())
            {
                foreach (var (page, writable) in new[] { (e.EvenPage, e.EvenWritable), (e.OddPage, e.OddWritable) })
                {
                    if (page >= 0 && !Given(manager, v.Vm, page, writable) && !shootdowns.Exempts(v.Vm, v.Index, -1, page))
                    {
                        return $"processor {p.Id}: its TLB maps ASID {e.Asid} pair {e.VirtualPair} → machine page {page} (writable {writable}) for VCPU {v.Index} (VM {v.Vm}), which the pmap does not give it";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Some guest page of the VM maps the machine page, writable when the entry is; or it is a live replica of such a page, read-only.</summary>
    private static bool Given(PageManagerComponent manager, int vm, long machinePage, bool writable)
    {
        var pages = manager.Pages;
        if (manager.Replicas.TryMasterOf(machinePage, out long master))
        {
            return !writable && pages.Memmap(master).Any(g => g.Vm == vm && !pages.IsWritable(vm, g.Page));
        }

        return pages.Memmap(machinePage).Any(g => g.Vm == vm && (!writable || pages.IsWritable(vm, g.Page)));
    }
}
