using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Guest;

// The SMP guest's shared run queue (guest.runqueue) and the processors of its kernel parts. Parts are named by their
// number, which on bare hardware is their processor's node.

/// <summary>
/// Part → run queue: this processor has nothing to run (<paramref name="Idle"/>; give it a process that waits
/// elsewhere), or has again (it no longer asks).
/// </summary>
public sealed record RunQueueAsk([Bounds(0, 63)] int Part, bool Idle = true) : ISimMessage
{
    public int Kind => MonitorMessageKinds.RunQueueAsk;

    public ulong ContentHash() => Digest.Of(Kind, Part, Idle ? 1 : 0);
}

/// <summary>
/// Run queue → every part: some processor idles (<paramref name="Any"/>) or none does any more. While one idles, a
/// part hands the run queue a process that has waited past the affinity time. <paramref name="Vcpu"/>: under Disco,
/// the VCPU the part runs on (the message reaches it wherever it is, like a virtual interrupt); -1 on bare hardware.
/// </summary>
public sealed record RunQueueThieves(bool Any, [Bounds(-1, int.MaxValue)] int Vcpu = -1) : ISimMessage
{
    public int Kind => MonitorMessageKinds.RunQueueThieves;

    public ulong ContentHash() => Digest.Of(Kind, Any ? 1 : 0);
}

/// <summary>
/// A part → the run queue, on behalf of process <paramref name="Asid"/> of part <paramref name="Home"/> that exited on
/// another part, and the run queue → part <paramref name="Target"/>: the exiting part's pages of the target's slice
/// are free again, and, sent to the home part (<paramref name="JobDone"/>), its job is done and its ASID free.
/// <paramref name="Vcpu"/>: under Disco, the target part's VCPU (set by the run queue); -1 on bare hardware.
/// </summary>
public sealed record ProcessReturn([Bounds(0, 63)] int Target, [Bounds(0, 63)] int Home, [Bounds(1, GuestLayout.MaxProcesses)] int Asid, bool JobDone, [MaxCount(1 << 26)] long[] Pages, [Bounds(-1, int.MaxValue)] int Vcpu = -1) : ISimMessage
{
    public int Kind => MonitorMessageKinds.ProcessReturn;

    public ulong ContentHash() => Digest.Of(Kind, Target, Asid, JobDone ? Pages.Length + 1 : -Pages.Length);
}

/// <summary>
/// A runnable process on its way, with its whole state (address space, workload stream): in one process the object
/// travels and its sender forgets it; a checkpoint or another process gets it through its declaration, read back into
/// a fresh shell of the same job (<see cref="Reader"/>). <paramref name="Vcpu"/>: under Disco, the VCPU of the part
/// that gives the process up or gets it (which VM's process it is, where it goes); -1 on bare hardware.
/// </summary>
public abstract record ProcessTransfer(GuestProcess Process, int Part, int Vcpu) : ISimMessage
{
    public abstract int Kind { get; }

    public ulong ContentHash() => Digest.Of(Kind, (Process.Home * 1024) + Process.Asid, Process.Job, Part);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Vcpu);
        writer.Write(Process.Home);
        writer.Write(Process.Asid);
        writer.Write(Process.Job);
        writer.Write(Part);
        Process.SaveTo(ref writer);
    }

    /// <summary>How a model reads a transfer back: <paramref name="shellsOf"/> gives, by the transfer's VCPU (-1 on bare
    /// hardware), the shells that build the process as its home part did.</summary>
    public static MessageReader Reader(Func<int, ProcessShells> shellsOf, Func<GuestProcess, int, int, ProcessTransfer> make)
    {
        ArgumentNullException.ThrowIfNull(shellsOf);
        ArgumentNullException.ThrowIfNull(make);
        return (ref StateReader reader) =>
        {
            int vcpu = reader.ReadInt("process vcpu", -1, int.MaxValue);
            var shells = shellsOf(vcpu);
            int home = reader.ReadInt("process home", 0, shells.Parts - 1);
            int asid = reader.ReadInt("process asid", 1, GuestLayout.MaxProcesses);
            int job = reader.ReadInt("process job", 0, int.MaxValue);
            int part = reader.ReadInt("process part", 0, shells.Parts - 1);
            var p = shells.Shell(home, asid, job);
            p.LoadFrom(ref reader);
            return make(p, part, vcpu);
        };
    }
}

/// <summary>Part <paramref name="Part"/> → run queue: this process has waited past the affinity time; run it where a processor idles.</summary>
public sealed record ProcessPut(GuestProcess Process, int Part, int Vcpu = -1) : ProcessTransfer(Process, Part, Vcpu)
{
    public override int Kind => MonitorMessageKinds.ProcessPut;
}

/// <summary>Run queue → part <paramref name="Part"/>: run this process (taken from the queue).</summary>
public sealed record ProcessGive(GuestProcess Process, int Part, int Vcpu = -1) : ProcessTransfer(Process, Part, Vcpu)
{
    public override int Kind => MonitorMessageKinds.ProcessGive;
}
