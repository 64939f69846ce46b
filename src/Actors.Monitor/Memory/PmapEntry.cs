using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>A translation the monitor caches: the machine page behind a guest page, and whether the VM may write it (false: shared, copy on write).</summary>
public readonly record struct PmapEntry(long MachinePage, bool Writable) : IStateValue<PmapEntry>
{
    public void Write(ref StateWriter writer)
    {
        writer.Write(MachinePage);
        writer.Write(Writable);
    }

    public static PmapEntry Read(ref StateReader reader, string what) =>
        new(reader.ReadLong(what + " machine page", 0, long.MaxValue), reader.ReadBool(what + " writable"));
}
