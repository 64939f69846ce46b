using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The shared run queue of an SMP guest on bare hardware (<c>guest.runqueue</c>, one per VM): IRIX 5.3 keeps one
/// queue of runnable processes for all processors, with cache affinity. Here each part keeps the processes that
/// wait for the processor they last ran on (affinity: a message round trip to this component in every context
/// switch would cost more than the shared memory IRIX's queue lives in), and this component holds what is
/// shared: which processors idle. A part that idles says so; while one does, every part hears it, and a part
/// gives up the runnable process that has waited there past the affinity time (<c>smp.affinity-steal</c>). The
/// process goes to the processor that has idled longest; if none idles by the time it comes (another process
/// took the place), it goes back where it was. Processes are never held here: each is in a part's slots or in a
/// message on its way, never both. Exits of processes away from their home part are routed here to it (the job's
/// end, the pages of its slice). Under Disco (an SMP VM) its parts run on VCPUs: its messages go to each part's
/// VCPU component, which forwards them to the processor that runs the VCPU or keeps them for it while it is parked.
/// </summary>
public sealed class RunQueueComponent : Component
{
    public const string KindName = "guest.runqueue";

    private readonly ComponentId[] _targets;
    private readonly int[] _vcpus;
    private readonly int _placementKey;
    private readonly long _latencyPs;
    private readonly int _parts;

    // State (declared in DeclareState): the parts that idle, longest first.
    private readonly List<int> _idle = [];
    private long _asks;
    private long _steals;
    private long _returned;

    /// <param name="parts">The guest's parts; part k runs on processor k.</param>
    public RunQueueComponent(ComponentId id, MachineLayout layout, long latencyPs, int parts)
        : this(id, latencyPs, [.. Enumerable.Range(0, parts).Select(p => (layout ?? throw new ArgumentNullException(nameof(layout))).Processor(p))], [.. Enumerable.Repeat(-1, parts)], 0)
    {
    }

    /// <summary>Under Disco: part k is VCPU <paramref name="vcpus"/>[k], reached through its component <paramref name="targets"/>[k].</summary>
    public RunQueueComponent(ComponentId id, long latencyPs, ComponentId[] targets, int[] vcpus, int placementKey)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(vcpus);
        _targets = targets;
        _vcpus = vcpus;
        _latencyPs = latencyPs;
        _parts = targets.Length;
        _placementKey = placementKey;
    }

    public override string Kind => KindName;

    public override int PlacementKey => _placementKey;

    /// <summary>Processors idle now (for tests).</summary>
    public IReadOnlyList<int> Idle => _idle;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case RunQueueAsk { Idle: true } a when !_idle.Contains(a.Part):
                _asks++;
                _idle.Add(a.Part);
                if (_idle.Count == 1)
                {
                    Broadcast(true, context);
                }

                break;
            case RunQueueAsk { Idle: false } a when _idle.Remove(a.Part):
                if (_idle.Count == 0)
                {
                    Broadcast(false, context);
                }
                else
                {
                    // It forgot the others' idling when it asked.
                    Send(a.Part, new RunQueueThieves(true, _vcpus[a.Part]), context);
                }

                break;
            case RunQueueAsk:
                break;
            case ProcessPut put when _idle.Count > 0:
                int target = _idle[0];
                _idle.RemoveAt(0);
                _steals++;
                Send(target, new ProcessGive(put.Process, target, _vcpus[target]), context);
                if (_idle.Count == 0)
                {
                    Broadcast(false, context);
                }

                break;
            case ProcessPut put:
                _returned++;
                Send(put.Part, new ProcessGive(put.Process, put.Part, _vcpus[put.Part]), context);
                break;
            case ProcessReturn r:
                Send(r.Target, r with { Vcpu = _vcpus[r.Target] }, context);
                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    /// <summary>To the parts that do not idle (an idle part has nothing to give; a finished one sleeps on).</summary>
    private void Broadcast(bool any, IContext context)
    {
        for (int part = 0; part < _parts; part++)
        {
            if (!_idle.Contains(part))
            {
                Send(part, new RunQueueThieves(any, _vcpus[part]), context);
            }
        }
    }

    private void Send(int part, ISimMessage message, IContext context) => context.Send(_targets[part], new SimTime(_latencyPs), message);

    public override void DeclareState(ref StateIo io)
    {
        int maxPart = _parts - 1;
        io.List("idle parts", _idle, _parts, (ref StateIo io, ref int part) => io.Int("idle part", ref part, 0, maxPart));
        io.Counter("guest.runqueue.idle_asks", ref _asks);
        io.Counter("guest.runqueue.steals", ref _steals);
        io.Counter("guest.runqueue.returned", ref _returned);
    }
}
