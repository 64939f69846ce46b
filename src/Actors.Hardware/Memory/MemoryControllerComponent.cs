using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Memory;

/// <summary>
/// A node's memory controller (kind <c>hw.memory-controller</c>), hosting the pure <see cref="MemoryController"/>:
/// it takes reads, writes and fences from its node's directory and answers over the link back. Placed with its node.
/// </summary>
public sealed class MemoryControllerComponent : Component, ICoherenceOutbox
{
    public const string KindName = "hw.memory-controller";

    private readonly MemoryController _controller;
    private readonly ComponentId _directory;
    private readonly long _toDirectoryPs;
    private readonly int _node;
    private IContext? _context;

    /// <param name="toDirectoryPs">The link back to the directory (the access time is in the moment an answer leaves).</param>
    public MemoryControllerComponent(ComponentId id, NodeId node, ComponentId directory, MachineParams parameters, long toDirectoryPs)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toDirectoryPs);
        _controller = new MemoryController(parameters, directory);
        _directory = directory;
        _toDirectoryPs = toDirectoryPs;
        _node = node.Value;
    }

    public override string Kind => KindName;

    public override int PlacementKey => _node;

    public MemoryController Controller => _controller;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        long now = context.Now.Ps;
        try
        {
            switch (message)
            {
                case MemoryRead m:
                    _controller.OnRead(m, now, this);
                    break;
                case MemoryWrite m:
                    _controller.OnWrite(m, now);
                    break;
                case MemoryFence m:
                    _controller.OnFence(m, now, this);
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
        if (target != _directory)
        {
            throw new InvalidOperationException($"{this}: a memory controller answers only its directory, not {target}");
        }

        context.Send(target, new SimTime(leavePs - context.Now.Ps + _toDirectoryPs), message);
    }

    public override void DeclareState(ref StateIo io) => io.Part(_controller);
}
