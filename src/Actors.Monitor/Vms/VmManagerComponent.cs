using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Vms;

/// <summary>
/// A VM's manager (<c>monitor.vm</c>), one per VM: it creates the VM's VCPUs (at build, each with its affinity; the
/// holder of each at time 0 boots it), owns what the VM was given (its guest-physical memory, its virtual disks and
/// network interface), routes the VM's virtual interrupts (a disk completion from the page manager, an NFS request
/// from the virtual network) to the VCPU they are for, keeps where each VCPU runs and moves them, and answers who may
/// hold a mapping of the VM's pages (<see cref="VmVcpusQuery"/>). Not on any hot path: a TLB miss, a pmap lookup
/// and a pmap fill's reply go straight between the processor and the page manager.
/// </summary>
public sealed class VmManagerComponent : Component
{
    public const string KindName = "monitor.vm";

    private readonly VirtualMachine _vm;
    private readonly MonitorIds _ids;
    private readonly int[] _vcpus;
    private readonly int _nodes;
    private readonly VcpuMovePlan[] _moves;
    private readonly int _placementNode;
    private readonly long _guestPages;
    private readonly SimTime _ipi;

    // State (checkpointed, in this order).
    private readonly int[] _where;
    private long _routed;
    private long _nfsRequests;
    private long _moved;
    private long _queries;
    private long _shootdowns;

    /// <param name="vcpus">The VM's VCPUs by number, with <paramref name="processors"/>: the processor each starts on.</param>
    /// <param name="moves">Planned moves of this VM's VCPUs (tests and studies of migration).</param>
    /// <param name="guestPages">The guest-physical memory the VM was given, in pages.</param>
    /// <param name="devices">Its virtual devices: the disks it mounts (machine disk numbers) and whether it is on the virtual network.</param>
    /// <param name="ipiLatencyPs">Latency of its links (<c>disco.monitor.ipi-latency</c>).</param>
    public VmManagerComponent(ComponentId id, VirtualMachine vm, MonitorIds ids, int[] vcpus, int[] processors, int nodes, long guestPages, VirtualDevices devices, IEnumerable<VcpuMovePlan> moves, long ipiLatencyPs)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ipiLatencyPs, 1);
        ArgumentNullException.ThrowIfNull(vm);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(vcpus);
        ArgumentNullException.ThrowIfNull(processors);
        ArgumentNullException.ThrowIfNull(moves);
        ArgumentNullException.ThrowIfNull(devices);
        if (vcpus.Length == 0 || vcpus.Length != processors.Length)
        {
            throw new ArgumentException("a VM has at least one VCPU, each with its processor", nameof(vcpus));
        }

        _vm = vm;
        _ids = ids;
        _vcpus = vcpus;
        _where = [.. processors];
        _placementNode = processors[0];
        _guestPages = guestPages;
        Devices = devices;
        _ipi = new SimTime(ipiLatencyPs);
        _nodes = nodes;
        _moves = [.. moves.Where(m => vcpus.Contains(m.Vcpu)).OrderBy(m => m.AtPs).ThenBy(m => m.Vcpu)];
    }

    public override string Kind => KindName;

    /// <summary>With its first VCPU's processor (the FLASH node).</summary>
    public override int PlacementKey => _placementNode;

    public int Vm => _vm.Id;

    /// <summary>What the VM mounts and where it is connected.</summary>
    public VirtualDevices Devices { get; }

    /// <summary>The processor each VCPU runs on (or moves to), in VCPU order.</summary>
    public IReadOnlyList<int> Where => _where;

    public override void Start(IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var m in _moves)
        {
            context.Send(Id, new SimTime(Math.Max(0, m.AtPs - context.Now.Ps)), new VcpuMove(m.Vcpu, m.Processor));
        }
    }

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case VirtualDiskDone d:
                Route(d.RequestId.Vcpu.Value, d, context);
                break;
            case NfsRequest n:
                _nfsRequests++;
                Route(_vcpus[0], n, context);
                break;
            case VcpuMove m:
            {
                int k = Array.IndexOf(_vcpus, m.Vcpu);
                if (k < 0 || m.Processor >= _nodes)
                {
                    throw new InvalidOperationException($"{this}: move of VCPU {m.Vcpu} to processor {m.Processor}: not a VCPU of VM {_vm.Id} or no such processor");
                }

                _moved++;
                _where[k] = m.Processor;
                context.Send(_ids.Vcpu(m.Vcpu), _ipi, m);
                break;
            }

            case TlbShootdown s:
                // The page manager's shootdown message for one of its VCPUs: on to that VCPU's component.
                if (Array.IndexOf(_vcpus, s.Vcpu) < 0)
                {
                    throw new InvalidOperationException($"{this}: a shootdown for VCPU {s.Vcpu}, not one of VM {_vm.Id}'s");
                }

                _shootdowns++;
                context.Send(_ids.Vcpu(s.Vcpu), _ipi, s);
                break;
            case VmVcpusQuery q:
                _queries++;
                context.Send(q.ReplyTo, _ipi, new VmVcpusAnswer(_vm.Id, q.Tag, [.. _vcpus], [.. _where]));
                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    private void Route(int vcpu, ISimMessage interrupt, IContext context)
    {
        if (Array.IndexOf(_vcpus, vcpu) < 0)
        {
            throw new InvalidOperationException($"{this}: a virtual interrupt for VCPU {vcpu}, not one of VM {_vm.Id}'s");
        }

        _routed++;
        context.Send(_ids.Vcpu(vcpu), _ipi, interrupt);
    }

    /// <summary>The declared counters, then what the VM was given.</summary>
    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        base.ReportStats(sink);
        sink.Add("monitor.vm.vcpus", _vcpus.Length);
        sink.Add("monitor.vm.guest_pages_given", _guestPages);
        sink.Add("monitor.vm.virtual_disks", Devices.Disks.Count);
        sink.Add("monitor.vm.network_interfaces", Devices.Network ? 1 : 0);
    }

    public override void DeclareState(ref StateIo io)
    {
        io.Ints("vcpu processors", _where, 0, _nodes - 1);
        io.Counter("monitor.vm.interrupts_routed", ref _routed);
        io.Counter("network.nfs_requests", ref _nfsRequests);
        io.Counter("monitor.vm.vcpu_moves", ref _moved);
        io.Counter("monitor.vm.queries", ref _queries);
        io.Counter("monitor.vm.shootdowns_routed", ref _shootdowns);
    }
}
