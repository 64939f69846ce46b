using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Interconnect;
using Disco.Actors.Hardware.Memory;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// Builds the machine's components and their wiring: processors, directories, memory controllers and disks at the ids of
/// <see cref="MachineLayout"/>, each link at its path latency (the lookahead rests on them, so each is the full
/// latency the path always has, never less). Whoever controls the processors (the bare OS, the monitor) adds its own
/// components after the hardware's and connects them with <see cref="Connect"/>.
/// </summary>
public sealed class MachineBuilder
{
    private readonly List<Component> _components = [];
    private readonly List<(int From, int To, long LatencyPs)> _links = [];
    private readonly Func<int, ISupervisor> _supervisorFor;

    public MachineBuilder(MachineParams parameters, Func<int, ISupervisor> supervisorFor, ComponentId? hotPageComponent = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(supervisorFor);
        var problem = parameters.Problems().FirstOrDefault();
        if (problem.Key is not null)
        {
            throw new ArgumentException($"machine.{problem.Key} {problem.Problem}");
        }

        Parameters = parameters;
        Layout = new MachineLayout(parameters.Nodes, parameters.Disks);
        Network = new Network(parameters.Nodes, parameters.Topology, parameters.NetworkBaseLatencyPs, parameters.NetworkPerHopLatencyPs, parameters.Uma);
        Paths = new PathLatencies(parameters, Layout, Network);
        _supervisorFor = supervisorFor;
        HotPageComponent = hotPageComponent;
        BuildHardware();
    }

    public MachineParams Parameters { get; }

    public MachineLayout Layout { get; }

    public Network Network { get; }

    public PathLatencies Paths { get; }

    public ComponentId? HotPageComponent { get; }

    public int NextId => _components.Count;

    public IReadOnlyList<Component> Components => _components;

    /// <summary>One-way latency from a processor to the node controller of <paramref name="home"/>.</summary>
    public long ProcessorToDirectoryPs(int node, int home) => Paths.ProcessorToDirectoryPs(node, home);

    /// <summary>One-way latency from a processor to a disk (programming the controller).</summary>
    public long ProcessorToDiskPs(int node, int disk) => Paths.ProcessorToDiskPs(node, disk);

    /// <summary>Adds a component (its id must be <see cref="NextId"/>).</summary>
    public T Add<T>(T component)
        where T : Component
    {
        ArgumentNullException.ThrowIfNull(component);
        if (component.Id.Value != _components.Count)
        {
            throw new ArgumentException($"component {component} must have id {_components.Count}");
        }

        _components.Add(component);
        return component;
    }

    public void Connect(ComponentId from, ComponentId to, long latencyPs) => _links.Add((from.Value, to.Value, latencyPs));

    public SimulationModel Build(string name, SimTime end, long seed, MessageCatalog? catalog = null)
    {
        var links = LinkTable.LinksOnly(_components.Count);
        foreach (var (from, to, ps) in _links)
        {
            links.Connect(new ComponentId(from), new ComponentId(to), new SimTime(ps));
        }

        var model = new SimulationModel(name, _components, links, end, seed, HardwareMessages.Register(catalog ?? new MessageCatalog()));
        foreach (var c in _components)
        {
            switch (c)
            {
                case ProcessorComponent p:
                    p.Wire(links);
                    break;
                case DirectoryComponent d:
                    d.Wire(links);
                    break;
                case DiskComponent k:
                    k.Wire(links);
                    break;
                default:
                    break;
            }
        }

        return model;
    }

    private void BuildHardware()
    {
        var p = Parameters;
        var paths = Paths;
        int nodes = p.Nodes;
        for (int n = 0; n < nodes; n++)
        {
            Add(new ProcessorComponent(Layout.Processor(n), new NodeId(n), p, Layout, paths.FromProcessorToDirectories(n), _supervisorFor(n)));
        }

        for (int h = 0; h < nodes; h++)
        {
            var directory = new Directory(p, Layout, new NodeId(h), HotPageComponent);
            Add(new DirectoryComponent(Layout.Directory(h), new NodeId(h), directory, paths.FromDirectory(h)));
        }

        for (int h = 0; h < nodes; h++)
        {
            Add(new MemoryControllerComponent(Layout.MemoryController(h), new NodeId(h), Layout.Directory(h), p, paths.MemoryLinkPs));
            Connect(Layout.Directory(h), Layout.MemoryController(h), paths.DirectoryOccupancyPs + paths.MemoryLinkPs);
            Connect(Layout.MemoryController(h), Layout.Directory(h), paths.MemoryAnswerPs);
        }

        for (int k = 0; k < p.Disks; k++)
        {
            Add(new DiskComponent(Layout.Disk(k), k, p, Layout, paths.FromDiskToDirectories(k)));
        }

        for (int n = 0; n < nodes; n++)
        {
            for (int h = 0; h < nodes; h++)
            {
                Connect(Layout.Processor(n), Layout.Directory(h), paths.ProcessorToDirectoryPs(n, h));
                Connect(Layout.Directory(h), Layout.Processor(n), paths.DirectoryToProcessorPs(h, n));
            }

            for (int k = 0; k < p.Disks; k++)
            {
                Connect(Layout.Processor(n), Layout.Disk(k), paths.ProcessorToDiskPs(n, k));
                Connect(Layout.Disk(k), Layout.Processor(n), paths.DiskToProcessorPs(k, n));
                Connect(Layout.Disk(k), Layout.Directory(n), paths.DiskToDirectoryPs(k, n));
                Connect(Layout.Directory(n), Layout.Disk(k), paths.DirectoryToDiskPs(n, k));
            }
        }
    }
}
