using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vms;

/// <summary>
/// Anyone (the page manager before a TLB shootdown, a VCPU scheduler) → a VM manager: which VCPUs of VM
/// <paramref name="Vm"/> may hold a mapping of its pages, and where do they run? The answer goes to <paramref name="ReplyTo"/>.
/// </summary>
public sealed record VmVcpusQuery([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, int.MaxValue)] ComponentId ReplyTo, [Bounds(0, long.MaxValue)] long Tag) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VmVcpusQuery;

    public ulong ContentHash() => Digest.Of(Kind, Vm, ReplyTo.Value, Tag);
}

/// <summary>
/// VM manager → the asker: every VCPU of the VM may hold a mapping (each keeps a second-level TLB and, on its
/// processor, hardware TLB entries), by number, with the processor each runs on (or moves to).
/// </summary>
public sealed record VmVcpusAnswer([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, long.MaxValue)] long Tag, [MaxCount(64)] int[] Vcpus, [MaxCount(64)] int[] Processors) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VmVcpusAnswer;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, Vm, Tag);
        for (int i = 0; i < Vcpus.Length; i++)
        {
            h = Digest.Fold(Digest.Fold(h, Vcpus[i]), Processors[i]);
        }

        return h;
    }
}
