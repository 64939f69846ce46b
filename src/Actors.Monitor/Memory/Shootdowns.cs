using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The page manager's TLB shootdowns under way [D 4.2.1]: per shootdown, the guest pages of one VM whose mapping
/// changed (and the machine pages they mapped before), the VCPUs that have not acknowledged yet, and the replies
/// that wait for the last acknowledgement (the initiator's grant, a disk transfer's completion, the grant of
/// another VCPU that asked for one of the pages meanwhile). Only then does the change take effect for anyone who
/// could still hold the old entry. A pure model (checkpointed: a resume mid-shootdown continues it).
/// </summary>
public sealed class Shootdowns : IStateful
{
    // State (checkpointed, in this order).
    private readonly SortedDictionary<long, InFlight> _inFlight = [];
    private readonly SortedDictionary<long, long> _gates = [];
    private long _next;
    private long _shootdowns;
    private long _ipis;
    private long _waitPs;

    /// <summary>Shootdowns started.</summary>
    public long Started => _shootdowns;

    /// <summary>Inter-processor messages sent (one per VCPU that may hold an entry).</summary>
    public long Ipis => _ipis;

    /// <summary>Time from each shootdown's start to its last acknowledgement, summed.</summary>
    public long WaitPs => _waitPs;

    public int Count => _inFlight.Count;

    /// <summary>
    /// Starts shootdown of (vm, <paramref name="guestPages"/>), which mapped <paramref name="machinePages"/>, on
    /// <paramref name="targets"/> (every VCPU of the VM but <paramref name="initiator"/>, the one that asked). Returns its id.
    /// </summary>
    public long Start(int vm, int initiator, IReadOnlyList<int> targets, long[] guestPages, long[] machinePages, long nowPs)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0 || guestPages.Length != machinePages.Length)
        {
            throw new ArgumentException("a shootdown has targets and one old machine page per guest page", nameof(targets));
        }

        long id = _next++;
        var f = new InFlight { Vm = vm, Initiator = initiator, StartPs = nowPs, GuestPages = guestPages, MachinePages = machinePages };
        f.Waiting.UnionWith(targets.Select(t => (long)t));
        _inFlight[id] = f;
        _shootdowns++;
        _ipis += targets.Count;
        return id;
    }

    /// <summary>Holds <paramref name="reply"/> to <paramref name="to"/> until shootdown <paramref name="id"/> is over; it then leaves with <paramref name="delayPs"/>, and not before <paramref name="notBeforePs"/> + that delay.</summary>
    public void Defer(long id, ComponentId to, long delayPs, long notBeforePs, ISimMessage reply) =>
        _inFlight[id].Replies.Add(new DeferredReply { To = to.Value, DelayPs = delayPs, NotBeforePs = notBeforePs, Message = reply });

    /// <summary>The shootdown under way of (vm, guest page), if any (the oldest).</summary>
    public bool TryFind(int vm, long guestPage, out long id)
    {
        foreach (var (k, f) in _inFlight)
        {
            if (f.Vm == vm && Array.IndexOf(f.GuestPages, guestPage) >= 0)
            {
                id = k;
                return true;
            }
        }

        id = -1;
        return false;
    }

    /// <summary>Disk transfer <paramref name="diskRequest"/> completes only after shootdown <paramref name="id"/>.</summary>
    public void Gate(long diskRequest, long id) => _gates[diskRequest] = id;

    /// <summary>The shootdown a finished disk transfer still waits for, if it is under way.</summary>
    public bool TryTakeGate(long diskRequest, out long id) => _gates.Remove(diskRequest, out id) && _inFlight.ContainsKey(id);

    /// <summary>
    /// VCPU <paramref name="vcpu"/> acknowledged shootdown <paramref name="id"/>. When it was the last: the
    /// shootdown is over, and its old machine pages and held replies (with the delay each leaves with) come back.
    /// </summary>
    public bool Ack(long id, int vcpu, long nowPs, out long[] machinePages, out List<(ComponentId To, long DelayPs, ISimMessage Message)> replies)
    {
        if (!_inFlight.TryGetValue(id, out var f) || !f.Waiting.Remove(vcpu))
        {
            throw new InvalidOperationException($"shootdown {id}: acknowledgement from VCPU {vcpu}, which it did not wait for");
        }

        machinePages = f.MachinePages;
        replies = [];
        if (f.Waiting.Count > 0)
        {
            return false;
        }

        _inFlight.Remove(id);
        _waitPs += nowPs - f.StartPs;
        foreach (var r in f.Replies)
        {
            replies.Add((new ComponentId(r.To), Math.Max(r.DelayPs, r.NotBeforePs + r.DelayPs - nowPs), r.Message));
        }

        return true;
    }

    /// <summary>
    /// True when VCPU <paramref name="vcpu"/> may still hold an old entry of (vm, guest page) or of machine page
    /// <paramref name="machinePage"/> (-1: any): a shootdown of it is under way that the VCPU has not acknowledged or started.
    /// </summary>
    public bool Exempts(int vm, int vcpu, long guestPage, long machinePage)
    {
        foreach (var f in _inFlight.Values)
        {
            if (f.Vm == vm && (f.Waiting.Contains(vcpu) || f.Initiator == vcpu)
                && (Array.IndexOf(f.GuestPages, guestPage) >= 0 || Array.IndexOf(f.MachinePages, machinePage) >= 0))
            {
                return true;
            }
        }

        return false;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Map("shootdowns", _inFlight, 1 << 20, static (ref StateIo io, ref long id) => io.Long("shootdown", ref id, 0), static (ref StateIo io, ref InFlight f) =>
        {
            f ??= new InFlight();
            io.Part(f);
        });
        io.LongMap("shootdown gates", _gates, 1 << 20, 0, long.MaxValue, 0, long.MaxValue);
        io.Long("next shootdown", ref _next, 0);
        io.Counter("monitor.shootdowns", ref _shootdowns);
        io.Counter("monitor.shootdown_ipis", ref _ipis);
        io.Counter("monitor.shootdown_wait_ps", ref _waitPs);
    }

    private sealed class InFlight : IStateful
    {
        public int Vm;
        public int Initiator;
        public long StartPs;
        public long[] GuestPages = [];
        public long[] MachinePages = [];
        public readonly SortedSet<long> Waiting = [];
        public readonly List<DeferredReply> Replies = [];

        public void DeclareState(ref StateIo io)
        {
            io.Int("vm", ref Vm, 0);
            io.Int("initiator", ref Initiator, -1);
            io.Long("start", ref StartPs, 0);
            io.LongArray("guest pages", ref GuestPages, 1024, 0);
            io.LongArray("old machine pages", ref MachinePages, 1024, 0);
            io.Set("waiting for", Waiting, 1 << 16, 0, int.MaxValue);
            io.List("held replies", Replies, 1 << 16, static (ref StateIo io, ref DeferredReply r) =>
            {
                r ??= new DeferredReply();
                io.Part(r);
            });
        }
    }

    private sealed class DeferredReply : IStateful
    {
        public int To;
        public long DelayPs;
        public long NotBeforePs;
        public ISimMessage Message = null!;

        public void DeclareState(ref StateIo io)
        {
            io.Int("to", ref To, 0);
            io.Long("delay", ref DelayPs, 0);
            io.Long("not before", ref NotBeforePs, 0);
            io.Message("held reply", ref Message);
        }
    }
}
