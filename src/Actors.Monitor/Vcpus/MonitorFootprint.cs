using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The cache lines the monitor's handlers touched and the processor has not yet gone through: their instruction
/// lines in the monitor's code and their data lines (second-level TLB, pmap, memmap, VCPU state), each one access
/// through the unmapped segment. The processor runs them as a monitor stream after the handler: a hit costs what a
/// hit costs (nothing in the L1), a miss stalls in monitor mode through the coherence protocol. The handler's
/// instructions themselves are charged as its cost (one cycle each), so only the lines are here. One buffer,
/// reused: a trap allocates nothing once it has grown.
/// </summary>
public sealed class MonitorFootprint : IOperationSource
{
    /// <summary>Bound for a checkpoint's load: far above what handlers touch between two runs of the stream.</summary>
    private const int MaxLines = 1 << 20;

    // State (checkpointed): the lines to go, from _next on.
    private readonly List<Operation> _lines = [];
    private int _next;

    /// <summary>True while lines wait to go through the caches.</summary>
    public bool Pending => _next < _lines.Count;

    /// <summary>Lines waiting.</summary>
    public int Count => _lines.Count - _next;

    /// <summary>The L1 line at machine address <paramref name="address"/>, <paramref name="bytes"/> from there, fetched as instructions.</summary>
    public void Fetch(long address, int bytes) => _lines.Add(Operation.LineTail(MachineConstants.Kseg0Base + address, AccessKind.Fetch, bytes));

    /// <summary>The data at machine address <paramref name="address"/> (<paramref name="bytes"/> long), read or written.</summary>
    public void Touch(long address, int bytes, bool store) => _lines.Add(Operation.LineTail(MachineConstants.Kseg0Base + address, store ? AccessKind.Store : AccessKind.Load, bytes));

    public bool TryNext(out Operation operation)
    {
        if (_next < _lines.Count)
        {
            operation = _lines[_next++];
            return true;
        }

        _lines.Clear();
        _next = 0;
        operation = default;
        return false;
    }

    public void DeclareState(ref StateIo io)
    {
        if (io.IsSaving && _next > 0)
        {
            // Only what is left matters: the lines gone through are dropped before they are written.
            _lines.RemoveRange(0, _next);
            _next = 0;
        }

        io.List("monitor footprint lines", _lines, MaxLines, static (ref StateIo io, ref Operation op) => io.Value("monitor footprint line", ref op));
        io.Int("monitor footprint next", ref _next, 0, MaxLines);
    }
}
