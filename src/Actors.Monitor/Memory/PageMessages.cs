using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// A processor's monitor → the page manager: virtual machine <paramref name="Vm"/> uses guest-physical page
/// <paramref name="GuestPage"/> for the first time on <paramref name="Node"/>; back it with a machine page. A page
/// the guest loaded from disk before the run (kernel text, files in its cache at boot) names its disk
/// <paramref name="Block"/> as the cache names it: it is mapped from the copy-on-write disk cache.
/// </summary>
/// <remarks><paramref name="PageKind"/> (a <c>GuestPageKind</c>) is instrumentation for the footprint split, not
/// something the monitor acts on.</remarks>
public sealed record MachinePageRequest([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, long.MaxValue)] long GuestPage, NodeId Node, DiskBlock? Block = null, [Bounds(0, 3)] int PageKind = 3) : ISimMessage
{
    public int Kind => MonitorMessageKinds.MachinePageRequest;

    // No block hashes as disk -1, sector 0 (hash input only).
    public ulong ContentHash() => Digest.Fold(Digest.Of(Kind, Vm, GuestPage, ((long)Node.Value << 8) | (uint)PageKind), ((long)(Block?.Disk ?? -1) << 48) ^ (Block?.Sector ?? 0));
}

/// <summary>The page manager → the processor: the pmap entry it made (read-only when the page is shared).</summary>
public sealed record MachinePageGrant([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, long.MaxValue)] long GuestPage, MachinePage Page, bool Writable = true) : ISimMessage
{
    public int Kind => MonitorMessageKinds.MachinePageGrant;

    public ulong ContentHash() => Digest.Of(Kind, Vm, GuestPage, (Page.Value << 1) | (Writable ? 1L : 0L));
}

/// <summary>
/// A processor's monitor → the page manager: the guest's disk transfer <paramref name="RequestId"/> (a monitor call)
/// between consecutive sectors from <paramref name="Sector"/> and <paramref name="GuestPages"/>.
/// <paramref name="CacheDisk"/> names the blocks in the cache: the physical disk for a shared disk, a per-VM number
/// for a private one.
/// A read maps cached blocks read-only without disk I/O and reads the rest from <paramref name="Disk"/> into new
/// cache pages. A write (<paramref name="IsWrite"/>) turns the written pages read-only (the guest's next store copies, so what
/// was written stays as written) and makes them the blocks' copy: on a <paramref name="Persistent"/> disk (mounted by
/// this VM only) the cached copy, written to the disk; on a non-persistent one the VM's private modification, kept
/// in memory, which only its own later reads see [D 4.2.4].
/// </summary>
public sealed record VirtualDiskIo([Bounds(0, int.MaxValue)] int Vm, VcpuRequest RequestId, [MaxCount(1024)] long[] GuestPages, [Bounds(0, int.MaxValue)] int Disk, [Bounds(0, int.MaxValue)] int CacheDisk, [Bounds(0, long.MaxValue)] long Sector, NodeId Node, bool IsWrite = false, bool Persistent = false) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VirtualDiskIo;

    public ulong ContentHash()
    {
        // The two flags enter the hash as two high bits of one number (hash input only: the fields carry them).
        long flags = (IsWrite ? 1L << 55 : 0) | (Persistent ? 1L << 54 : 0);
        ulong h = Digest.Fold(Digest.Of(Kind, Vm, RequestId.HashInput, ((long)Disk << 32) | (uint)CacheDisk), Sector ^ ((long)Node.Value << 56) ^ flags);
        foreach (long g in GuestPages)
        {
            h = Digest.Fold(h, g);
        }

        return h;
    }
}

/// <summary>The page manager → the processor: the transfer is done; each guest page now maps its block's (read-only) cache page.</summary>
public sealed record VirtualDiskDone([Bounds(0, int.MaxValue)] int Vm, VcpuRequest RequestId, [MaxCount(1024)] long[] GuestPages, [MaxCount(1024)] long[] Pages) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VirtualDiskDone;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, Vm, RequestId.HashInput, GuestPages.Length);
        for (int i = 0; i < GuestPages.Length; i++)
        {
            h = Digest.Fold(Digest.Fold(h, GuestPages[i]), Pages[i]);
        }

        return h;
    }
}

/// <summary>
/// A processor's monitor → the page manager: VCPU <paramref name="Vcpu"/> of the VM wrote a page it maps read-only
/// (shared); give it a private copy (and shoot the old entry down on the VM's other VCPUs).
/// </summary>
public sealed record CopyOnWriteRequest([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, long.MaxValue)] long GuestPage, NodeId Node, [Bounds(0, int.MaxValue)] int Vcpu) : ISimMessage
{
    public int Kind => MonitorMessageKinds.CopyOnWriteRequest;

    public ulong ContentHash() => Digest.Fold(Digest.Of(Kind, Vm, GuestPage, Node.Value), Vcpu);
}

/// <summary>
/// A processor's monitor → the page manager: the guest kernel of VM <paramref name="Vm"/> freed
/// <paramref name="GuestPages"/> (a monitor call at a process's exit [D 4.3]); VCPU <paramref name="Vcpu"/>, which
/// made the call, has dropped its own entries of them. The page manager unmaps them, shoots down the VM's other
/// VCPUs' entries, and frees each machine page nothing else holds. No answer: the guest reuses a page only through
/// a new pmap fill, which the page manager holds until that shootdown is over.
/// </summary>
public sealed record PageRelease([Bounds(0, int.MaxValue)] int Vm, [Bounds(0, int.MaxValue)] int Vcpu, [MaxCount(1 << 20)] long[] GuestPages) : ISimMessage
{
    public int Kind => MonitorMessageKinds.PageRelease;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, Vm, Vcpu, GuestPages.Length);
        foreach (long g in GuestPages)
        {
            h = Digest.Fold(h, g);
        }

        return h;
    }
}
