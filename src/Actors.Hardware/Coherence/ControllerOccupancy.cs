using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The node controller's own timing: it is busy a fixed occupancy per protocol message it handles, and messages that
/// arrive while it is busy wait (the directory's contention; the memory's is the memory controller's).
/// </summary>
public sealed class ControllerOccupancy : IStateful
{
    private readonly long _occupancyPs;
    private long _freePs;
    private long _queuePs;

    public ControllerOccupancy(MachineParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _occupancyPs = parameters.ControllerOccupancyPs;
    }

    /// <summary>Total time messages waited for the controller.</summary>
    public long QueuePs => _queuePs;

    /// <summary>The controller handles a message that arrived at <paramref name="nowPs"/>: when it is done with it.</summary>
    public long Occupy(long nowPs)
    {
        long start = Math.Max(nowPs, _freePs);
        _queuePs += start - nowPs;
        _freePs = start + _occupancyPs;
        return _freePs;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Long("controller free", ref _freePs, 0);
        io.Counter("hw.dir.controller_queue_ps", ref _queuePs);
    }
}
