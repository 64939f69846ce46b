using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// A page of a shared region (a program's code, a workload's shared data), named by the region's segment and the
/// page's index in it: every process that faults on it gets the same machine page. A private page has no such name
/// (<see cref="Private"/>).
/// </summary>
public readonly record struct SegmentPage([Bounds(-1, int.MaxValue)] int Segment, [Bounds(0, long.MaxValue)] long Index) : IStateValue<SegmentPage>
{
    public static SegmentPage Private => new(-1, 0);

    public bool IsShared => Segment >= 0;

    public void Write(ref StateWriter writer)
    {
        writer.Write(Segment);
        writer.Write(Index);
    }

    /// <summary>A shared page (a private one is never saved).</summary>
    public static SegmentPage Read(ref StateReader reader, string what) =>
        new(reader.ReadInt(what + " segment", 0, int.MaxValue), reader.ReadLong(what + " index", 0, long.MaxValue));
}
