using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Numa;

/// <summary>
/// The page manager → the monitor on the processor whose node a page migrates to, once every VCPU acknowledged the
/// shootdown of the page: copy machine page <paramref name="From"/> to <paramref name="To"/> (loads and stores
/// through the caches and the memory controllers), then tell it (<see cref="PageCopyDone"/>).
/// </summary>
public sealed record PageCopyRequest([Bounds(0, long.MaxValue)] long Migration, [Bounds(0, long.MaxValue)] long From, [Bounds(0, long.MaxValue)] long To) : ISimMessage
{
    public int Kind => MonitorMessageKinds.PageCopyRequest;

    public ulong ContentHash() => Digest.Of(Kind, Migration, From, To);
}

/// <summary>The monitor → the page manager: migration <paramref name="Migration"/>'s copy is done; it took <paramref name="CopyPs"/> on the processor.</summary>
public sealed record PageCopyDone([Bounds(0, long.MaxValue)] long Migration, [Bounds(0, long.MaxValue)] long CopyPs) : ISimMessage
{
    public int Kind => MonitorMessageKinds.PageCopyDone;

    public ulong ContentHash() => Digest.Of(Kind, Migration, CopyPs);
}
