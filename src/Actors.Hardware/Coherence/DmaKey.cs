using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>One page of a disk's DMA in progress at a home: the disk and the tag it gave the page.</summary>
public readonly record struct DmaKey([Bounds(0, DmaKey.MaxDisks - 1)] int Disk, [Bounds(0, long.MaxValue)] long Tag) : IComparable<DmaKey>, IStateValue<DmaKey>
{
    /// <summary>Disks a machine may have (the disk number is checked against it on load).</summary>
    public const int MaxDisks = 256;

    /// <summary>By tag, then disk: the order a checkpoint lists the transfers in.</summary>
    public int CompareTo(DmaKey other) => Tag != other.Tag ? Tag.CompareTo(other.Tag) : Disk.CompareTo(other.Disk);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Disk);
        writer.Write(Tag);
    }

    public static DmaKey Read(ref StateReader reader, string what) =>
        new(reader.ReadInt(what + " disk", 0, MaxDisks - 1), reader.ReadLong(what + " tag", 0, long.MaxValue));

    public static bool operator <(DmaKey left, DmaKey right) => left.CompareTo(right) < 0;

    public static bool operator <=(DmaKey left, DmaKey right) => left.CompareTo(right) <= 0;

    public static bool operator >(DmaKey left, DmaKey right) => left.CompareTo(right) > 0;

    public static bool operator >=(DmaKey left, DmaKey right) => left.CompareTo(right) >= 0;
}
