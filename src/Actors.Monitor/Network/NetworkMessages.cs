using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Network;

/// <summary>
/// A client VM's monitor → the NFS server VM's processor, over the virtual network: read these file blocks
/// (<paramref name="Keys"/>: file and block, as the guests name them) into the client's buffer pages
/// <paramref name="ClientPages"/>; <paramref name="RequestId"/> is the client's disk request it completes.
/// </summary>
public sealed record NfsRequest(int ClientVm, VcpuRequest RequestId, long[] Keys, long[] ClientPages, NodeId ClientNode) : ISimMessage
{
    public int Kind => MonitorMessageKinds.NfsRequest;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, ClientVm, RequestId.HashInput, ClientNode.Value);
        for (int i = 0; i < Keys.Length; i++)
        {
            h = Digest.Fold(Digest.Fold(h, Keys[i]), ClientPages[i]);
        }

        return h;
    }

    public void Write(ref StateWriter writer)
    {
        writer.Write(ClientVm);
        RequestId.Write(ref writer);
        writer.Write(Keys);
        writer.Write(ClientPages);
        writer.Write(ClientNode.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new NfsRequest(
            reader.ReadInt("client vm", 0, int.MaxValue),
            VcpuRequest.Read(ref reader, "request"),
            reader.ReadLongArray("keys", 1024),
            reader.ReadLongArray("client pages", 1024),
            new NodeId(reader.ReadInt("client node", 0, MachineConstants.MaxNodes - 1)));
}

/// <summary>
/// The server's monitor → the page manager: the reply's pages are the server's machine pages
/// <paramref name="Pages"/>; map each read-only at the client's buffer page (no copy) and complete the client's read.
/// </summary>
public sealed record NfsReply(int ClientVm, VcpuRequest RequestId, long[] ClientPages, long[] Pages, NodeId ClientNode) : ISimMessage
{
    public int Kind => MonitorMessageKinds.NfsReply;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, ClientVm, RequestId.HashInput, ClientNode.Value);
        for (int i = 0; i < Pages.Length; i++)
        {
            h = Digest.Fold(Digest.Fold(h, ClientPages[i]), Pages[i]);
        }

        return h;
    }

    public void Write(ref StateWriter writer)
    {
        writer.Write(ClientVm);
        RequestId.Write(ref writer);
        writer.Write(ClientPages);
        writer.Write(Pages);
        writer.Write(ClientNode.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new NfsReply(
            reader.ReadInt("client vm", 0, int.MaxValue),
            VcpuRequest.Read(ref reader, "request"),
            reader.ReadLongArray("client pages", 1024),
            reader.ReadLongArray("pages", 1024),
            new NodeId(reader.ReadInt("client node", 0, MachineConstants.MaxNodes - 1)));
}
