using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Hardware.Tests.Caches;

/// <summary>
/// One user stream whose pages are mapped on first touch to machine pages of the same colour (virtual and machine
/// address equal modulo <paramref name="colourBytes"/>, the largest way of the caches), so that every line falls
/// in the same set of every cache as its virtual address would: the caches then behave as on virtual addresses,
/// like cachegrind's. Refills cost nothing and run no code, so the only accesses are the stream's.
/// </summary>
internal sealed class ColouredPageSupervisor(IOperationSource source, long colourBytes, long machinePairs) : ISupervisor
{
    private const long PairBytes = 2L * MachineConstants.PageSizeBytes;

    private readonly ExecutionStream _stream = new(source, ExecutionMode.User, 0);
    private readonly long _colours = Math.Max(1, colourBytes / PairBytes);
    private readonly Dictionary<long, long> _machinePairOf = [];
    private readonly Dictionary<long, long> _usedOfColour = [];
    private bool _done;

    public ExecutionStream? Current => _done ? null : _stream;

    public bool Halted => _done;

    /// <summary>Virtual page pairs mapped so far.</summary>
    public int PairsMapped => _machinePairOf.Count;

    public TrapOutcome OnQuantum(ISupervisorContext context) => TrapOutcome.None;

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context)
    {
        long pair = TlbEntry.PairOf(virtualAddress);
        if (!_machinePairOf.TryGetValue(pair, out long machinePair))
        {
            long colour = pair % _colours;
            long used = _usedOfColour.GetValueOrDefault(colour);
            machinePair = colour + (used * _colours);
            if (machinePair >= machinePairs)
            {
                throw new InvalidOperationException($"the test machine has no free page pair of colour {colour}");
            }

            _usedOfColour[colour] = used + 1;
            _machinePairOf[pair] = machinePair;
        }

        context.WriteTlb(new TlbEntry(pair, 0, machinePair * 2, true, (machinePair * 2) + 1, true));
        return TrapOutcome.None;
    }

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context) => TrapOutcome.None;

    public TrapOutcome OnStreamEnd(ISupervisorContext context)
    {
        _done = true;
        return TrapOutcome.None;
    }

    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context) => TrapOutcome.None;

    public void DeclareState(ref StateIo io)
    {
        io.Bool("done", ref _done);
        io.Part(_stream);
    }
}
