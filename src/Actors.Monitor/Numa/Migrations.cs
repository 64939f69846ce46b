using Disco.Actors.Engine.State;
using Disco.Actors.Monitor.Memory;

namespace Disco.Actors.Monitor.Numa;

/// <summary>
/// The page manager's migrations under way: which guest page moves from which machine page to which, the requests
/// for it that wait until it has moved, and what each step cost. A pure model (checkpointed: a resume mid-migration
/// continues it).
/// </summary>
public sealed class Migrations : IStateful
{
    // State (checkpointed, in this order).
    private readonly SortedDictionary<long, Move> _moves = [];
    private long _next;
    private long _done;
    private long _aborted;
    private long _unmovable;
    private long _shootdownPs;
    private long _copyPs;

    public int Count => _moves.Count;

    /// <summary>Migrations done.</summary>
    public long Done => _done;

    public long Start(GuestPage mapper, long from, long to, int node, long nowPs)
    {
        long id = _next++;
        _moves[id] = new Move { Vm = mapper.Vm, GuestPage = mapper.Page, From = from, To = to, Node = node, StartPs = nowPs };
        return id;
    }

    /// <summary>The migration under way of (vm, guest page), if any.</summary>
    public bool TryFind(int vm, long guestPage, out long id)
    {
        foreach (var (k, m) in _moves)
        {
            if (m.Vm == vm && m.GuestPage == guestPage)
            {
                id = k;
                return true;
            }
        }

        id = -1;
        return false;
    }

    /// <summary>A request for the moving page (a VCPU that lost its entry in the shootdown) waits for the move.</summary>
    public void Hold(long id, MachinePageRequest request) => _moves[id].Held.Add(request);

    /// <summary>The policy chose to move a page that cannot move (shared, read-only, pinned, held by the disk cache).</summary>
    public void CountUnmovable() => _unmovable++;

    /// <summary>
    /// Migration <paramref name="id"/>'s copy is done (it took <paramref name="copyPs"/>); the rest of its time since
    /// the start was the shootdown. It moved, or the page's mapping changed meanwhile and it did not.
    /// </summary>
    public void Finish(long id, long copyPs, long nowPs, bool moved)
    {
        if (!_moves.Remove(id, out var m))
        {
            throw new InvalidOperationException($"migration {id}: a copy done for no migration under way");
        }

        if (moved)
        {
            _done++;
            _copyPs += copyPs;
            _shootdownPs += Math.Max(0, nowPs - m.StartPs - copyPs);
        }
        else
        {
            _aborted++;
        }
    }

    /// <summary>Migration <paramref name="id"/>: what moves where, and the requests that wait for it.</summary>
    public (GuestPage Mapper, long From, long To, List<MachinePageRequest> Held) Peek(long id) =>
        _moves.TryGetValue(id, out var m)
            ? (new GuestPage(m.Vm, m.GuestPage), m.From, m.To, m.Held)
            : throw new InvalidOperationException($"migration {id}: a copy done for no migration under way");

    public void DeclareState(ref StateIo io)
    {
        io.Map("migrations", _moves, 1 << 20, static (ref StateIo io, ref long id) => io.Long("migration", ref id, 0), static (ref StateIo io, ref Move m) =>
        {
            m ??= new Move();
            io.Part(m);
        });
        io.Long("next migration", ref _next, 0);
        io.Counter("migrations", ref _done);
        io.Counter("monitor.numa.migrations_aborted", ref _aborted);
        io.Counter("monitor.numa.unmovable", ref _unmovable);
        io.Counter("monitor.numa.migration_shootdown_ps", ref _shootdownPs);
        io.Counter("monitor.numa.migration_copy_ps", ref _copyPs);
    }

    private sealed class Move : IStateful
    {
        public int Vm;
        public long GuestPage;
        public long From;
        public long To;
        public int Node;
        public long StartPs;
        public readonly List<MachinePageRequest> Held = [];

        public void DeclareState(ref StateIo io)
        {
            io.Int("vm", ref Vm, 0);
            io.Long("guest page", ref GuestPage, 0);
            io.Long("from", ref From, 0);
            io.Long("to", ref To, 0);
            io.Int("node", ref Node, 0);
            io.Long("start", ref StartPs, 0);
            io.List("held requests", Held, 1 << 16, static (ref StateIo io, ref MachinePageRequest r) => io.Message("held request", ref r));
        }
    }
}
