using Disco.Actors.Engine.State;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// A block of a guest file: the buffer cache's key, what a disk read fills, what an NFS request names. Ordered by
/// file, then block, which is the order the buffer cache iterates in and what makes two keys consecutive on disk.
/// </summary>
public readonly record struct BlockKey([Bounds(0, int.MaxValue)] int File, [Bounds(0, GuestFiles.MaxBlocks)] long Block) : IComparable<BlockKey>, IStateValue<BlockKey>
{
    // A file's blocks stay below 2^20 (GuestFiles.MaxBlocks is 2^14, its inode block one past), so the encoded
    // number orders exactly as (File, Block) does.
    private const int BlockBits = 20;
    private const long BlockMask = (1L << BlockBits) - 1;

    /// <summary>The block holding the file's inode (read by open), just past its data blocks.</summary>
    public static BlockKey Inode(int file) => new(file, GuestFiles.MaxBlocks);

    /// <summary>The next block of the same file.</summary>
    public BlockKey Next(long blocks = 1) => this with { Block = Block + blocks };

    /// <summary>
    /// The key as one number, where it must travel as one: a system call's argument (an operation's value) and the
    /// NFS request's block list (the digest folds these numbers).
    /// </summary>
    public long Encode() => ((long)File << BlockBits) | Block;

    public static BlockKey Decode(long encoded) => new((int)(encoded >> BlockBits), encoded & BlockMask);

    public int CompareTo(BlockKey other) => File != other.File ? File.CompareTo(other.File) : Block.CompareTo(other.Block);

    public static bool operator <(BlockKey a, BlockKey b) => a.CompareTo(b) < 0;

    public static bool operator >(BlockKey a, BlockKey b) => a.CompareTo(b) > 0;

    public static bool operator <=(BlockKey a, BlockKey b) => a.CompareTo(b) <= 0;

    public static bool operator >=(BlockKey a, BlockKey b) => a.CompareTo(b) >= 0;

    public void Write(ref StateWriter writer)
    {
        writer.Write(File);
        writer.Write(Block);
    }

    public static BlockKey Read(ref StateReader reader, string what) =>
        new(reader.ReadInt(what + " file", 0, int.MaxValue), reader.ReadLong(what + " block", 0, GuestFiles.MaxBlocks));

    public override string ToString() => $"block {Block} of file {File}";
}
