using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// A processor's monitor → the page manager: virtual machine <paramref name="Vm"/> uses guest-physical page
/// <paramref name="GuestPage"/> for the first time on <paramref name="Node"/>; back it with a machine page.
/// </summary>
public sealed record MachinePageRequest(int Vm, long GuestPage, NodeId Node) : ISimMessage
{
    public int Kind => MonitorMessageKinds.MachinePageRequest;

    public ulong ContentHash() => Digest.Of(Kind, Vm, GuestPage, Node.Value);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Vm);
        writer.Write(GuestPage);
        writer.Write(Node.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new MachinePageRequest(reader.ReadInt("vm", 0, int.MaxValue), reader.ReadLong("guest page", 0, long.MaxValue), new NodeId(reader.ReadInt("node", 0, MachineConstants.MaxNodes - 1)));
}

/// <summary>The page manager → the processor: the pmap entry it made.</summary>
public sealed record MachinePageGrant(int Vm, long GuestPage, MachinePage Page) : ISimMessage
{
    public int Kind => MonitorMessageKinds.MachinePageGrant;

    public ulong ContentHash() => Digest.Of(Kind, Vm, GuestPage, Page.Value);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Vm);
        writer.Write(GuestPage);
        writer.Write(Page.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new MachinePageGrant(reader.ReadInt("vm", 0, int.MaxValue), reader.ReadLong("guest page", 0, long.MaxValue), new MachinePage(reader.ReadLong("page", 0, long.MaxValue)));
}
