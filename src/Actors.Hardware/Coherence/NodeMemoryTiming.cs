using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The node controller's and the memory's timing, apart from the protocol: the controller is busy a fixed occupancy
/// per message it handles, the memory a fixed occupancy per line read or written, and requests queue behind both.
/// (The seam where a separate memory-controller component would cut.)
/// </summary>
public sealed class NodeMemoryTiming : IStateful
{
    private readonly long _controllerOccupancyPs;
    private readonly long _memoryOccupancyPs;
    private readonly long _memoryLatencyPs;
    private long _controllerFreePs;
    private long _memoryFreePs;
    private long _memoryReads;
    private long _memoryWrites;
    private long _controllerQueuePs;
    private long _memoryQueuePs;

    public NodeMemoryTiming(MachineParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _controllerOccupancyPs = parameters.ControllerOccupancyPs;
        _memoryOccupancyPs = parameters.MemoryOccupancyPs;
        _memoryLatencyPs = parameters.MemoryLatencyPs;
    }

    public long MemoryReads => _memoryReads;

    public long MemoryWrites => _memoryWrites;

    /// <summary>Total time messages waited for the controller (contention).</summary>
    public long ControllerQueuePs => _controllerQueuePs;

    /// <summary>Total time memory accesses waited for the memory (contention).</summary>
    public long MemoryQueuePs => _memoryQueuePs;

    /// <summary>When the memory has finished every access it was given.</summary>
    public long MemoryFreePs => _memoryFreePs;

    /// <summary>The controller handles a message that arrived at <paramref name="nowPs"/>: when it is done with it.</summary>
    public long Occupy(long nowPs)
    {
        long start = Math.Max(nowPs, _controllerFreePs);
        _controllerQueuePs += start - nowPs;
        _controllerFreePs = start + _controllerOccupancyPs;
        return _controllerFreePs;
    }

    /// <summary>A line read asked for at <paramref name="t"/>: when its data is ready.</summary>
    public long Read(long t)
    {
        _memoryReads++;
        long start = Math.Max(t, _memoryFreePs);
        _memoryQueuePs += start - t;
        _memoryFreePs = start + _memoryOccupancyPs;
        return start + _memoryLatencyPs;
    }

    /// <summary>A line written at <paramref name="t"/> (nobody waits for it, but it keeps the memory busy).</summary>
    public void Write(long t)
    {
        _memoryWrites++;
        long start = Math.Max(t, _memoryFreePs);
        _memoryQueuePs += start - t;
        _memoryFreePs = start + _memoryOccupancyPs;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Long("controller free", ref _controllerFreePs, 0);
        io.Long("memory free", ref _memoryFreePs, 0);
        io.Counter("hw.mem.reads", ref _memoryReads);
        io.Counter("hw.mem.writes", ref _memoryWrites);
        io.Counter("hw.dir.controller_queue_ps", ref _controllerQueuePs);
        io.Counter("hw.mem.queue_ps", ref _memoryQueuePs);
    }
}
