using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>A processor nobody uses (the guest is a uniprocessor): it never runs anything.</summary>
public sealed class UnusedProcessor : ISupervisor
{
    public ExecutionStream? Current => null;

    public bool Halted => true;

    public TrapOutcome OnQuantum(ISupervisorContext context) => TrapOutcome.None;

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context) => throw new InvalidOperationException("unused processor trapped");

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context) => throw new InvalidOperationException("unused processor trapped");

    public TrapOutcome OnStreamEnd(ISupervisorContext context) => throw new InvalidOperationException("unused processor trapped");

    /// <summary>Hot-page interrupts can reach any processor; nothing acts on them here.</summary>
    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context) =>
        message is HotPageInterrupt ? TrapOutcome.None : throw new InvalidOperationException($"unused processor: unexpected {message.GetType().Name}");

    /// <summary>Nothing changes here.</summary>
    public void DeclareState(ref StateIo io)
    {
    }
}
