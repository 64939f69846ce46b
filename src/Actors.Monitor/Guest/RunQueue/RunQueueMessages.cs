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
/// part hands the run queue a process that has waited past the affinity time.
/// </summary>
public sealed record RunQueueThieves(bool Any) : ISimMessage
{
    public int Kind => MonitorMessageKinds.RunQueueThieves;

    public ulong ContentHash() => Digest.Of(Kind, Any ? 1 : 0);
}

/// <summary>
/// A part → the run queue, on behalf of process <paramref name="Asid"/> of part <paramref name="Home"/> that exited on
/// another part, and the run queue → part <paramref name="Target"/>: the exiting part's pages of the target's slice
/// are free again, and, sent to the home part (<paramref name="JobDone"/>), its job is done and its ASID free.
/// </summary>
public sealed record ProcessReturn([Bounds(0, 63)] int Target, [Bounds(0, 63)] int Home, [Bounds(1, GuestLayout.MaxProcesses)] int Asid, bool JobDone, [MaxCount(1 << 26)] long[] Pages) : ISimMessage
{
    public int Kind => MonitorMessageKinds.ProcessReturn;

    public ulong ContentHash() => Digest.Of(Kind, Target, Asid, JobDone ? Pages.Length + 1 : -Pages.Length);
}

/// <summary>
/// A runnable process on its way, with its whole state (address space, workload stream): in one process the object
/// travels and its sender forgets it; a checkpoint or another process gets it through its declaration, read back into
/// a fresh shell of the same job (<see cref="Reader"/>).
/// </summary>
public abstract record ProcessTransfer(GuestProcess Process, int Part) : ISimMessage
{
    public abstract int Kind { get; }

    public ulong ContentHash() => Digest.Of(Kind, (Process.Home * 1024) + Process.Asid, Process.Job, Part);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Process.Home);
        writer.Write(Process.Asid);
        writer.Write(Process.Job);
        writer.Write(Part);
        Process.SaveTo(ref writer);
    }

    /// <summary>How a model reads a transfer back: <paramref name="shells"/> builds the process as its home part did.</summary>
    public static MessageReader Reader(ProcessShells shells, Func<GuestProcess, int, ProcessTransfer> make)
    {
        ArgumentNullException.ThrowIfNull(shells);
        ArgumentNullException.ThrowIfNull(make);
        return (ref StateReader reader) =>
        {
            int home = reader.ReadInt("process home", 0, shells.Parts - 1);
            int asid = reader.ReadInt("process asid", 1, GuestLayout.MaxProcesses);
            int job = reader.ReadInt("process job", 0, int.MaxValue);
            int part = reader.ReadInt("process part", 0, shells.Parts - 1);
            var p = shells.Shell(home, asid, job);
            p.LoadFrom(ref reader);
            return make(p, part);
        };
    }
}

/// <summary>Part <paramref name="Part"/> → run queue: this process has waited past the affinity time; run it where a processor idles.</summary>
public sealed record ProcessPut(GuestProcess Process, int Part) : ProcessTransfer(Process, Part)
{
    public override int Kind => MonitorMessageKinds.ProcessPut;
}

/// <summary>Run queue → part <paramref name="Part"/>: run this process (taken from the queue).</summary>
public sealed record ProcessGive(GuestProcess Process, int Part) : ProcessTransfer(Process, Part)
{
    public override int Kind => MonitorMessageKinds.ProcessGive;
}
