using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Network;

/// <summary>
/// A client VM's monitor → the NFS server VM's processor, over the virtual network: read these file blocks
/// (<paramref name="Keys"/>: file and block, as the guests name them) into the client's buffer pages
/// <paramref name="ClientPages"/>; <paramref name="RequestId"/> is the client's disk request it completes.
/// </summary>
public sealed record NfsRequest([Bounds(0, int.MaxValue)] int ClientVm, VcpuRequest RequestId, [MaxCount(1024)] BlockKey[] Keys, [MaxCount(1024)] long[] ClientPages, NodeId ClientNode) : ISimMessage
{
    public int Kind => MonitorMessageKinds.NfsRequest;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, ClientVm, RequestId.HashInput, ClientNode.Value);
        for (int i = 0; i < Keys.Length; i++)
        {
            h = Digest.Fold(Digest.Fold(h, Keys[i].Encode()), ClientPages[i]);
        }

        return h;
    }
}

/// <summary>
/// The server's monitor → the page manager: the reply's pages are the server's machine pages
/// <paramref name="Pages"/>; map each read-only at the client's buffer page (no copy) and complete the client's read.
/// </summary>
public sealed record NfsReply([Bounds(0, int.MaxValue)] int ClientVm, VcpuRequest RequestId, [MaxCount(1024)] long[] ClientPages, [MaxCount(1024)] long[] Pages, NodeId ClientNode) : ISimMessage
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
}
