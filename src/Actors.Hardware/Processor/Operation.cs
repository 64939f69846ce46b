using Disco.Actors.Engine.State;

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
    /// Acquires the spin lock whose word is at virtual address <see cref="Operation.Value"/> (test-and-test-and-set):
    /// reads the line; while the word is non-zero the processor spins on its cached copy (no traffic) until the line
    /// is invalidated or taken, then reads again; a free word is set by a store that needs the line exclusive. Who wins
    /// is decided by the order in which the home grants exclusive ownership.
    /// </summary>
    Acquire = 7,

    /// <summary>Releases the spin lock at <see cref="Operation.Value"/>: a store of 0 to its word (it invalidates the spinners' copies).</summary>
    Release = 8,
}

/// <summary>One operation of a stream. Sixteen bytes; the meaning of the fields depends on the kind.</summary>
public readonly record struct Operation(OperationKind Kind, long Value, int Count) : IStateValue<Operation>
{
    public static Operation Compute(int instructions) => new(OperationKind.Compute, 0, instructions);

    public static Operation Fetch(long pc, int instructions = 1) => new(OperationKind.Instructions, pc, instructions);

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
