using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Memory;

/// <summary>
/// One node's memory controller and its DRAM: an access starts when the memory is free (requests queue in arrival
/// order: the contention), keeps it busy for the occupancy, and a read's data is ready the access latency after its
/// start. It answers only its own directory, through a FIFO port, so answers leave in the order the requests came,
/// each at least the access latency after its request arrived.
/// Pure state: <see cref="MemoryControllerComponent"/> hosts it, the protocol tests drive it directly.
/// </summary>
public sealed class MemoryController : IStateful
{
    private readonly ComponentId _directory;
    private readonly long _occupancyPs;
    private readonly long _accessLatencyPs;
    private readonly FifoPort _port = new();
    private long _freePs;
    private long _reads;
    private long _writes;
    private long _fences;
    private long _queued;
    private long _queuePs;
    private long _busyPs;

    public MemoryController(MachineParams parameters, ComponentId directory)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _directory = directory;
        _occupancyPs = parameters.MemoryOccupancyPs;
        _accessLatencyPs = parameters.MemoryAccessLatencyPs;
    }

    public long Reads => _reads;

    public long Writes => _writes;

    /// <summary>Accesses that found the memory busy and waited.</summary>
    public long Queued => _queued;

    /// <summary>Total time accesses waited for the memory.</summary>
    public long QueuePs => _queuePs;

    /// <summary>Total time the memory was busy.</summary>
    public long BusyPs => _busyPs;

    /// <summary>The data leaves for the directory when the access is done.</summary>
    public void OnRead(MemoryRead m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(outbox);
        _reads++;
        long ready = Start(nowPs) + _accessLatencyPs;
        outbox.Send(_directory, _port.Leave(ready), new MemoryData(m.Line, m.Sequence));
    }

    /// <summary>Nobody waits for a write, but it keeps the memory busy.</summary>
    public void OnWrite(MemoryWrite m, long nowPs)
    {
        ArgumentNullException.ThrowIfNull(m);
        _writes++;
        Start(nowPs);
    }

    /// <summary>
    /// Answered once the memory is free of every access given before (and after every earlier answer). A fence passes
    /// the access pipeline like a read of nothing: never sooner than an access, so that every answer leaves at least
    /// the access latency after its request came, which is the lookahead of the link back to the directory.
    /// </summary>
    public void OnFence(MemoryFence m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(outbox);
        _fences++;
        outbox.Send(_directory, _port.Leave(Math.Max(nowPs + _accessLatencyPs, _freePs)), new MemoryFenceDone(m.Sequence));
    }

    private long Start(long arrivalPs)
    {
        long start = Math.Max(arrivalPs, _freePs);
        if (start > arrivalPs)
        {
            _queued++;
            _queuePs += start - arrivalPs;
        }

        _freePs = start + _occupancyPs;
        _busyPs += _occupancyPs;
        return start;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Long("memory free", ref _freePs, 0);
        io.Part(_port);
        io.Counter("hw.mc.reads", ref _reads);
        io.Counter("hw.mc.writes", ref _writes);
        io.Counter("hw.mc.fences", ref _fences);
        io.Counter("hw.mc.queued", ref _queued);
        io.Counter("hw.mc.queue_ps", ref _queuePs);
        io.Counter("hw.mc.busy_ps", ref _busyPs);
    }
}
