using Disco.Actors.Engine.Components;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// Pages the guest frees [D 4.3]: its kernel tells the monitor (a monitor call when a process exits), so a machine
/// page the guest no longer uses is released instead of staying mapped until the guest reuses the guest page.
/// </summary>
public sealed partial class PageManagerComponent
{
    /// <summary>
    /// The guest freed pages: each mapping goes (and its machine page, when nothing else holds it); in an SMP VM
    /// the other VCPUs drop their entries first, the machine page pinned until they have (the initiator dropped its own).
    /// </summary>
    private void OnRelease(PageRelease r, IContext context)
    {
        // A released page's NUMA replicas go first (their shootdown frees them), as for any other unmapping.
        DropReplicas(context, r.Vm, r.GuestPages);
        var before = Before(r.Vm, r.GuestPages);
        foreach (long g in r.GuestPages)
        {
            if (_pages.Release(r.Vm, g))
            {
                _releasedPages++;
            }
        }

        Shootdown(context, r.Vm, r.Vcpu, before);
    }
}
