using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Memory;

/// <summary>
/// One node's memory controller and its DRAM: an access starts when the memory is free (requests queue in arrival
/// order: the contention), keeps it busy for the occupancy, and a read's data is ready the access latency after its
/// start. Pure state: <see cref="MemoryControllerComponent"/> hosts it.
/// </summary>
public sealed class MemoryController : IStateful
{
    private readonly long _occupancyPs;
    private readonly long _accessLatencyPs;
    private long _freePs;
    private long _reads;
    private long _writes;
    private long _queuePs;

    public MemoryController(MachineParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _occupancyPs = parameters.MemoryOccupancyPs;
        _accessLatencyPs = parameters.MemoryAccessLatencyPs;
    }

    public long Reads => _reads;

    public long Writes => _writes;

    /// <summary>Total time accesses waited for the memory.</summary>
    public long QueuePs => _queuePs;

    /// <summary>When the memory has finished every access it was given.</summary>
    public long FreePs => _freePs;

    /// <summary>A line read that arrived at <paramref name="arrivalPs"/>: when its data is ready.</summary>
    public long Read(long arrivalPs)
    {
        _reads++;
        return Start(arrivalPs) + _accessLatencyPs;
    }

    /// <summary>A line written at <paramref name="arrivalPs"/>: nobody waits for it, but it keeps the memory busy.</summary>
    public void Write(long arrivalPs)
    {
        _writes++;
        Start(arrivalPs);
    }

    private long Start(long arrivalPs)
    {
        long start = Math.Max(arrivalPs, _freePs);
        _queuePs += start - arrivalPs;

        _freePs = start + _occupancyPs;
        return start;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Long("memory free", ref _freePs, 0);
        io.Counter("hw.mem.reads", ref _reads);
        io.Counter("hw.mem.writes", ref _writes);
        io.Counter("hw.mem.queue_ps", ref _queuePs);
    }
}
