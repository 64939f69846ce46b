using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vcpus;

// The VCPU protocol between a VCPU's component (monitor.vcpu), the processors it may run on and its VM manager.
// VCPUs are named by their index in the run (Vcpu.Index); processors by their node.

/// <summary>VCPU component → its processor: a parked VCPU has work (a virtual interrupt, its boot, a move).</summary>
public sealed record VcpuReady([Bounds(0, int.MaxValue)] int Vcpu) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VcpuReady;

    public ulong ContentHash() => Digest.Of(Kind, Vcpu);
}

/// <summary>Processor <paramref name="Processor"/> → VCPU component: the scheduler picked this VCPU; send its state.</summary>
public sealed record VcpuFetch([Bounds(0, int.MaxValue)] int Vcpu, [Bounds(0, int.MaxValue)] int Processor) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VcpuFetch;

    public ulong ContentHash() => Digest.Of(Kind, Vcpu, Processor);
}

/// <summary>VCPU component → processor: the VCPU is to be handed back (it moves to another processor).</summary>
public sealed record VcpuRecall([Bounds(0, int.MaxValue)] int Vcpu) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VcpuRecall;

    public ulong ContentHash() => Digest.Of(Kind, Vcpu);
}

/// <summary>VCPU component → its former processor: the parked VCPU moved away; forget it.</summary>
public sealed record VcpuLeave([Bounds(0, int.MaxValue)] int Vcpu) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VcpuLeave;

    public ulong ContentHash() => Digest.Of(Kind, Vcpu);
}

/// <summary>VM manager → VCPU component (and to itself, planned): run the VCPU on processor <paramref name="Processor"/> from now on.</summary>
public sealed record VcpuMove([Bounds(0, int.MaxValue)] int Vcpu, [Bounds(0, int.MaxValue)] int Processor) : ISimMessage
{
    public int Kind => MonitorMessageKinds.VcpuMove;

    public ulong ContentHash() => Digest.Of(Kind, Vcpu, Processor);
}

/// <summary>
/// A VCPU's whole state on its way (<see cref="VcpuDispatch"/>, <see cref="VcpuPark"/>). In one process the object
/// itself travels and its sender forgets it; a checkpoint or another process gets it through its declaration
/// (<see cref="Vcpu.DeclareState"/>), read back into a fresh shell of the same VCPU (<see cref="Reader"/>). While it
/// travels, its counters are reported on its component's (<paramref name="Owner"/>) behalf.
/// </summary>
public abstract record VcpuTransfer(Vcpu State, ComponentId Owner) : ISimMessage, ICarriedStats
{
    public abstract int Kind { get; }

    /// <summary>The VCPU's index and its trap count: cheap, and stable wherever the state was read back.</summary>
    public ulong ContentHash() => Digest.Of(Kind, State.Index, State.Counters[(int)VcpuCounter.Traps]);

    public void Write(ref StateWriter writer)
    {
        writer.Write(State.Index);
        writer.Write(Owner.Value);
        State.SaveTo(ref writer);
    }

    public void ReportStats(IStatsSink sink) => VcpuComponent.Report(State, sink);

    /// <summary>How a model reads a transfer back: <paramref name="shell"/> builds VCPU i as the model built it.</summary>
    public static MessageReader Reader(Func<int, Vcpu> shell, int vcpus, Func<Vcpu, ComponentId, VcpuTransfer> make)
    {
        ArgumentNullException.ThrowIfNull(shell);
        ArgumentNullException.ThrowIfNull(make);
        return (ref StateReader reader) =>
        {
            var v = shell(reader.ReadInt("vcpu", 0, vcpus - 1));
            var owner = new ComponentId(reader.ReadInt("vcpu component", 0, int.MaxValue));
            v.LoadFrom(ref reader);
            return make(v, owner);
        };
    }
}

/// <summary>VCPU component → processor: here is my state, run me (the answer to <see cref="VcpuFetch"/>).</summary>
public sealed record VcpuDispatch(Vcpu State, ComponentId Owner) : VcpuTransfer(State, Owner)
{
    public override int Kind => MonitorMessageKinds.VcpuDispatch;
}

/// <summary>Processor → VCPU component: the VCPU is descheduled; here is its state back.</summary>
public sealed record VcpuPark(Vcpu State, ComponentId Owner) : VcpuTransfer(State, Owner)
{
    public override int Kind => MonitorMessageKinds.VcpuPark;
}
