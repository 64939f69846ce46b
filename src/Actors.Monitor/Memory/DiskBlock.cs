using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// A page-sized block of a disk as the disk cache names it: the disk (a physical disk, or a per-VM number for a
/// private disk) and its first sector. Ordered by disk, then sector.
/// </summary>
public readonly record struct DiskBlock([Bounds(0, int.MaxValue)] int Disk, [Bounds(0, long.MaxValue)] long Sector) : IComparable<DiskBlock>, IStateValue<DiskBlock>
{
    public int CompareTo(DiskBlock other) => Disk != other.Disk ? Disk.CompareTo(other.Disk) : Sector.CompareTo(other.Sector);

    public static bool operator <(DiskBlock left, DiskBlock right) => left.CompareTo(right) < 0;

    public static bool operator >(DiskBlock left, DiskBlock right) => left.CompareTo(right) > 0;

    public static bool operator <=(DiskBlock left, DiskBlock right) => left.CompareTo(right) <= 0;

    public static bool operator >=(DiskBlock left, DiskBlock right) => left.CompareTo(right) >= 0;

    public void Write(ref StateWriter writer)
    {
        writer.Write(Disk);
        writer.Write(Sector);
    }

    public static DiskBlock Read(ref StateReader reader, string what) =>
        new(reader.ReadInt(what + " disk", 0, int.MaxValue), reader.ReadLong(what + " sector", 0, long.MaxValue));

    public override string ToString() => $"block {Sector} of disk {Disk}";
}
