using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// An outbound port that keeps every path FIFO: nothing leaves before what left earlier, so a message computed ahead
/// (a speculative memory read ready later than an acknowledgement) never overtakes one sent before it.
/// </summary>
public sealed class FifoPort : IStateful
{
    private long _lastLeavePs;

    /// <summary>When a message that is ready at <paramref name="readyPs"/> leaves; it then is the last to have left.</summary>
    public long Leave(long readyPs)
    {
        long leave = Math.Max(readyPs, _lastLeavePs);
        _lastLeavePs = leave;
        return leave;
    }

    public void DeclareState(ref StateIo io) => io.Long("last leave", ref _lastLeavePs, 0);
}
