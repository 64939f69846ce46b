using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The processor side of the coherence protocol over one node's cache hierarchy: turns misses into requests to the
/// line's home, answers invalidations and forwards, installs replies. Pure: the processor component and the
/// property tests both drive it, so the tests check the code the simulation runs.
/// </summary>
public sealed class CacheController : IStateful
{
    private readonly MachineLayout _layout;
    private readonly HomeMap _homes;
    private readonly LineWords _words = new();
    private long _writebacks;
    private long _invalidationsReceived;
    private long _forwardsReceived;

    public CacheController(CacheHierarchy caches, NodeId node, MachineLayout layout, HomeMap homes)
    {
        ArgumentNullException.ThrowIfNull(caches);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(homes);
        if (homes.LineShift != caches.L2LineShift)
        {
            throw new ArgumentException($"the home map counts lines of {1 << homes.LineShift} B, the L2 holds lines of {1 << caches.L2LineShift} B");
        }

        Caches = caches;
        Node = node;
        _layout = layout;
        _homes = homes;
    }

    public CacheHierarchy Caches { get; }

    public NodeId Node { get; }

    public long Writebacks => _writebacks;

    public long InvalidationsReceived => _invalidationsReceived;

    public long ForwardsReceived => _forwardsReceived;

    /// <summary>The lock words of the lines this node's caches hold (valid while the line is present).</summary>
    public LineWords Words => _words;

    public int HomeOf(long line) => _homes.NodeOfLine(line);

    /// <summary>
    /// Sends what an L2 miss (or upgrade) of <paramref name="address"/> needs: the victim's writeback if it was
    /// modified, then the request to the line's home. Returns the home node.
    /// </summary>
    public int BeginMiss(long address, AccessKind kind, long leavePs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        long line = Caches.LineOf(address);
        long victim = Caches.PrepareFill(line);
        if (victim >= 0)
        {
            _writebacks++;
            outbox.Send(_layout.Directory(HomeOf(victim)), leavePs, new WritebackRequest(new LineAddress(victim), Node, _words.Of(victim)));
            _words.Set(victim, 0);
        }

        int home = HomeOf(line);
        var target = _layout.Directory(home);
        if (kind == AccessKind.Store)
        {
            outbox.Send(target, leavePs, new ReadExclusiveRequest(new LineAddress(line), Node));
        }
        else
        {
            outbox.Send(target, leavePs, new ReadRequest(new LineAddress(line), Node));
        }

        return home;
    }

    /// <summary>Installs the home's reply for the access that missed.</summary>
    public void OnData(DataReply reply, long address, AccessKind kind)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Line.Value != Caches.LineOf(address))
        {
            throw new InvalidOperationException($"node {Node}: reply for line {reply.Line} while waiting for line 0x{Caches.LineOf(address):x}");
        }

        Caches.CompleteFill(address, kind, reply.Exclusive);
        _words.Set(reply.Line.Value, reply.Word);
    }

    public void OnInvalidate(Invalidate m, long leavePs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(outbox);
        _invalidationsReceived++;
        Caches.Invalidate(m.Line.Value);
        _words.Set(m.Line.Value, 0);
        outbox.Send(_layout.Directory(HomeOf(m.Line.Value)), leavePs, new InvalidateAck(m.Line, Node));
    }

    public void OnForward(Forward m, long leavePs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(outbox);
        _forwardsReceived++;
        var before = m.Invalidate ? Caches.Invalidate(m.Line.Value) : Caches.Downgrade(m.Line.Value);
        bool had = before != L2State.Invalid;
        bool dirty = before == L2State.Modified;
        outbox.Send(
            _layout.Directory(HomeOf(m.Line.Value)),
            leavePs,
            new ForwardReply(m.Line, Node, Dirty: dirty, KeptCopy: had && !m.Invalidate, Word: dirty ? _words.Of(m.Line.Value) : 0));
        if (m.Invalidate)
        {
            _words.Set(m.Line.Value, 0);
        }
    }

    /// <summary>The caches, then the protocol's counters.</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Part(Caches);
        io.Part(_words);
        io.Counter("hw.l2.writebacks", ref _writebacks);
        io.Counter("hw.processor.invalidations", ref _invalidationsReceived);
        io.Counter("hw.processor.forwards", ref _forwardsReceived);
    }
}
