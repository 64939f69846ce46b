using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Caches;

namespace Disco.Actors.Hardware.Processor;

/// <summary>What one element of an operation stream asks the processor to do.</summary>
public enum OperationKind : byte
{
    /// <summary><see cref="Operation.Count"/> instructions of non-memory work (CPI 1), no instruction fetches modelled.</summary>
    Compute = 0,

    /// <summary><see cref="Operation.Count"/> sequential 4-byte instructions fetched from virtual address <see cref="Operation.Value"/>.</summary>
    Instructions = 1,

    /// <summary>A data read of <see cref="Operation.Count"/> bytes at virtual address <see cref="Operation.Value"/>.</summary>
    Load = 2,

    /// <summary>A data write of <see cref="Operation.Count"/> bytes at virtual address <see cref="Operation.Value"/>.</summary>
    Store = 3,

    /// <summary>A privileged operation or system call; <see cref="Operation.Value"/> is its code, emulated by the supervisor.</summary>
    Privileged = 4,

    /// <summary>The stream waits <see cref="Operation.Value"/> picoseconds with nothing to do (idle time).</summary>
    Idle = 5,

    /// <summary>
    /// A file read: <see cref="Operation.Count"/> pages from disk into the buffer at virtual address
    /// <see cref="Operation.Value"/>; the stream blocks until the disk's completion interrupt.
    /// </summary>
    DiskRead = 6,

    /// <summary>
    /// One instruction of <see cref="Operation.Count"/> bytes at virtual address <see cref="Operation.Value"/>: a
    /// variable-length instruction as a trace records it (x86: 1 to 15 bytes), fetched from every L1 line it covers.
    /// </summary>
    Instruction = 7,

    /// <summary>
    /// The rest of an access that straddles L1 lines (a trace's instruction, load or store), from the line that starts
    /// at virtual address <see cref="Operation.Value"/>: <see cref="Operation.TailBytes"/> bytes touched as
    /// <see cref="Operation.TailKind"/>. The processor makes it when the first line is done, so that a miss or a TLB
    /// trap on the next line waits without touching the first again; it counts no instruction, load or store.
    /// </summary>
    LineTail = 8,

    /// <summary>
    /// Acquires the spin lock whose word is at virtual address <see cref="Operation.Value"/> (test-and-test-and-set):
    /// reads the line; while the word is non-zero the processor spins on its cached copy (no traffic) until the line
    /// is invalidated or taken, then reads again; a free word is set by a store that needs the line exclusive. Who wins
    /// is decided by the order in which the home grants exclusive ownership.
    /// </summary>
    Acquire = 9,

    /// <summary>Releases the spin lock at <see cref="Operation.Value"/>: a store of 0 to its word (it invalidates the spinners' copies).</summary>
    Release = 10,
}

/// <summary>One operation of a stream. Sixteen bytes; the meaning of the fields depends on the kind.</summary>
public readonly record struct Operation(OperationKind Kind, long Value, int Count) : IStateValue<Operation>
{
    public static Operation Compute(int instructions) => new(OperationKind.Compute, 0, instructions);

    public static Operation Fetch(long pc, int instructions = 1) => new(OperationKind.Instructions, pc, instructions);

    /// <summary>One variable-length instruction of <paramref name="sizeBytes"/> bytes (a trace's).</summary>
    public static Operation Instruction(long pc, int sizeBytes) => new(OperationKind.Instruction, pc, sizeBytes);

    /// <summary>The rest of a straddling access: <paramref name="bytes"/> bytes from <paramref name="lineAddress"/>, a line start.</summary>
    public static Operation LineTail(long lineAddress, AccessKind kind, int bytes) => new(OperationKind.LineTail, lineAddress, (bytes << 2) | (int)kind);

    /// <summary>A <see cref="OperationKind.LineTail"/>'s access kind.</summary>
    public AccessKind TailKind => (AccessKind)(Count & 3);

    /// <summary>A <see cref="OperationKind.LineTail"/>'s bytes left, from <see cref="Value"/> on.</summary>
    public int TailBytes => Count >> 2;

    public static Operation Load(long address, int size) => new(OperationKind.Load, address, size);

    public static Operation Store(long address, int size) => new(OperationKind.Store, address, size);

    public static Operation Privileged(long code) => new(OperationKind.Privileged, code, 0);

    public static Operation Idle(long durationPs) => new(OperationKind.Idle, durationPs, 0);

    public static Operation DiskRead(long buffer, int pages) => new(OperationKind.DiskRead, buffer, pages);

    public static Operation Acquire(long lockAddress) => new(OperationKind.Acquire, lockAddress, 8);

    public static Operation Release(long lockAddress) => new(OperationKind.Release, lockAddress, 8);

    public void Write(ref StateWriter writer)
    {
        writer.Write((int)Kind);
        writer.Write(Value);
        writer.Write(Count);
    }

    public static Operation Read(ref StateReader reader, string what) =>
        new((OperationKind)reader.ReadInt(what + " kind", 0, (int)OperationKind.Release), reader.ReadLong(what + " value"), reader.ReadInt(what + " count", 0, int.MaxValue));
}
