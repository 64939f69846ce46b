using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tlb;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Machine;

/// <summary>
/// A supervisor for timing tests: one stream in user mode, virtual page = machine page, refills that cost nothing
/// (so that the only time beyond instructions is the memory system's), and a record of the messages it got.
/// </summary>
internal sealed class IdentitySupervisor(IOperationSource source, long refillPs = 0) : ISupervisor
{
    private readonly ExecutionStream _stream = new(source, ExecutionMode.User, 0);
    private bool _done;

    [field: Transient("the test's record of what it was sent, for assertions; not part of the model")]
    public List<(long LocalPs, ISimMessage Message)> Messages { get; } = [];

    [field: Transient("the test's record of the privileged operations (markers) it ran, for assertions")]
    public List<(long LocalPs, long Code)> Markers { get; } = [];

    public ExecutionStream? Current => _done ? null : _stream;

    public bool Halted => _done;

    public TrapOutcome OnQuantum(ISupervisorContext context) => TrapOutcome.None;

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context)
    {
        long pair = TlbEntry.PairOf(virtualAddress);
        context.WriteTlb(new TlbEntry(pair, 0, pair * 2, true, (pair * 2) + 1, true));
        return new TrapOutcome(refillPs, ExecutionMode.Kernel);
    }

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context)
    {
        Markers.Add((context.LocalPs, operation.Value));
        return TrapOutcome.None;
    }

    public TrapOutcome OnStreamEnd(ISupervisorContext context)
    {
        _done = true;
        return TrapOutcome.None;
    }

    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context)
    {
        Messages.Add((context.LocalPs, message));
        return TrapOutcome.None;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Bool("done", ref _done);
        io.Part(_stream);
    }
}

/// <summary>Small machines for tests: the real hardware components, scripted streams, identity mappings.</summary>
internal static class TestMachine
{
    public const long PageBytes = MachineConstants.PageSizeBytes;

    /// <summary>Address of byte <paramref name="offset"/> of the <paramref name="index"/>-th page homed on <paramref name="node"/>.</summary>
    public static long AddressOn(MachineParams p, int node, long index = 0, long offset = 0) => (((node * p.PagesPerNode) + index) * PageBytes) + offset;

    public static (SimulationModel Model, ProcessorComponent[] Processors, IdentitySupervisor[] Supervisors) Build(MachineParams p, params Operation[][] streams)
    {
        var supervisors = new IdentitySupervisor[p.Nodes];
        var builder = new MachineBuilder(p, n => supervisors[n] = new IdentitySupervisor(new ScriptedSource(n < streams.Length ? streams[n] : [])));
        var model = builder.Build("test-machine", SimTime.Infinity, seed: 1);
        return (model, [.. model.Components.OfType<ProcessorComponent>()], supervisors);
    }

    public static MachineParams Small(int nodes = 2) => new()
    {
        Nodes = nodes,
        MemoryBytes = nodes * 64 * PageBytes,
        Disks = 0,
        HotPageThreshold = 0,
    };
}
