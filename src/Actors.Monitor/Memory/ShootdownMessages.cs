using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The page manager → a VCPU's component (forwarded to its processor while the VCPU is out, bounced back when it left
/// before it came): VM <paramref name="Vm"/> no longer maps <paramref name="GuestPages"/> as VCPU
/// <paramref name="Vcpu"/> may have cached them (each was <paramref name="MachinePages"/>[i], or writable); drop
/// the cached pmap entries and every second-level and hardware TLB entry of those machine pages, then acknowledge
/// shootdown <paramref name="Id"/>.
/// </summary>
public sealed record TlbShootdown([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, long.MaxValue)] long Id, [Bounds(0, int.MaxValue)] int Vcpu, [MaxCount(1024)] long[] GuestPages, [MaxCount(1024)] long[] MachinePages) : ISimMessage
{
    public int Kind => MonitorMessageKinds.TlbShootdown;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, Vm, Id, Vcpu);
        for (int i = 0; i < GuestPages.Length; i++)
        {
            h = Digest.Fold(Digest.Fold(h, GuestPages[i]), MachinePages[i]);
        }

        return h;
    }
}

/// <summary>A processor's monitor or a VCPU's component → the page manager: VCPU <paramref name="Vcpu"/> holds no stale entry of shootdown <paramref name="Id"/> any more.</summary>
public sealed record TlbShootdownAck([Bounds(0, long.MaxValue)] long Id, [Bounds(0, int.MaxValue)] int Vcpu) : ISimMessage
{
    public int Kind => MonitorMessageKinds.TlbShootdownAck;

    public ulong ContentHash() => Digest.Of(Kind, Id, Vcpu);
}
