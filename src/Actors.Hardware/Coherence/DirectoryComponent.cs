using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// One node controller (MAGIC-like): the home directory of the node's memory, hosting the pure <see cref="Directory"/>
/// (the node's memory controller is a component of its own, <see cref="MemoryControllerComponent"/>). Thin: it hands each message to the directory and sends what the directory produced,
/// adding each path's latency to the moment the message leaves the node.
/// </summary>
public sealed class DirectoryComponent : Component, ICoherenceOutbox
{
    public const string KindName = "hw.directory";

    private readonly Directory _directory;
    private readonly long[] _pathLatencyPs;
    private readonly int _node;
    private LinkTable? _links;
    private IContext? _context;

    /// <param name="pathLatencyPs">Latency from this node controller to every component of the machine it may send to, by component id (the controller's occupancy and any wait for memory excluded: they are in the leave time).</param>
    public DirectoryComponent(ComponentId id, NodeId node, Directory directory, long[] pathLatencyPs)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(pathLatencyPs);
        _directory = directory;
        _pathLatencyPs = pathLatencyPs;
        _node = node.Value;
    }

    public override string Kind => KindName;

    public override int PlacementKey => _node;

    public Directory Directory => _directory;

    /// <summary>For targets outside the machine (a monitor's page manager): their latency comes from the model's links.</summary>
    public void Wire(LinkTable links) => _links = links;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        long now = context.Now.Ps;
        try
        {
            switch (message)
            {
                case ReadRequest m:
                    _directory.OnRead(m, now, this);
                    break;
                case ReadExclusiveRequest m:
                    _directory.OnReadExclusive(m, now, this);
                    break;
                case WritebackRequest m:
                    _directory.OnWriteback(m, now, this);
                    break;
                case InvalidateAck m:
                    _directory.OnInvalidateAck(m, now, this);
                    break;
                case ForwardReply m:
                    _directory.OnForwardReply(m, now, this);
                    break;
                case DmaRequest m:
                    _directory.OnDma(m, now, this);
                    break;
                case MemoryData m:
                    _directory.OnMemoryData(m, now, this);
                    break;
                case MemoryFenceDone m:
                    _directory.OnMemoryFenceDone(m, now, this);
                    break;
                default:
                    throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
            }
        }
        finally
        {
            _context = null;
        }
    }

    void ICoherenceOutbox.Send(ComponentId target, long leavePs, ISimMessage message)
    {
        var context = _context ?? throw new InvalidOperationException($"{this}: send outside a handler");
        long latency = target.Value < _pathLatencyPs.Length && _pathLatencyPs[target.Value] >= 0
            ? _pathLatencyPs[target.Value]
            : (_links ?? throw new InvalidOperationException($"{this}: no path to component {target}")).RequiredDelayPs(Id.Value, target.Value);
        context.Send(target, new SimTime(leavePs - context.Now.Ps + latency), message);
    }

    public override void DeclareState(ref StateIo io) => io.Part(_directory);
}
