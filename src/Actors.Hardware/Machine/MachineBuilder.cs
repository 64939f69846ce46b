using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Interconnect;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// Builds the machine's components and their wiring: processors, directories and disks at the ids of
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
        _supervisorFor = supervisorFor;
        HotPageComponent = hotPageComponent;
        BuildHardware();
    }

    public MachineParams Parameters { get; }

    public MachineLayout Layout { get; }

    public Network Network { get; }

    public ComponentId? HotPageComponent { get; }

    public int NextId => _components.Count;

    public IReadOnlyList<Component> Components => _components;

    /// <summary>One-way latency from a processor to the node controller of <paramref name="home"/>.</summary>
    public long ProcessorToDirectoryPs(int node, int home) => Parameters.BusLatencyPs + Network.LatencyPs(node, home);

    /// <summary>One-way latency from a processor to a disk (programming the controller).</summary>
    public long ProcessorToDiskPs(int node, int disk) => Parameters.BusLatencyPs + Network.LatencyPs(node, Layout.NodeOfDisk(disk)) + Parameters.IoBusLatencyPs;

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
        int nodes = p.Nodes;
        for (int n = 0; n < nodes; n++)
        {
            long[] toDirectory = [.. Enumerable.Range(0, nodes).Select(h => ProcessorToDirectoryPs(n, h))];
            Add(new ProcessorComponent(Layout.Processor(n), new NodeId(n), p, Layout, toDirectory, _supervisorFor(n)));
        }

        for (int h = 0; h < nodes; h++)
        {
            var directory = new Directory(p, Layout, new NodeId(h), HotPageComponent);
            long[] path = new long[Layout.HardwareComponents];
            Array.Fill(path, -1L);
            for (int n = 0; n < nodes; n++)
            {
                path[Layout.Processor(n).Value] = p.BusLatencyPs + Network.LatencyPs(h, n);
            }

            for (int k = 0; k < p.Disks; k++)
            {
                path[Layout.Disk(k).Value] = p.IoBusLatencyPs + Network.LatencyPs(h, Layout.NodeOfDisk(k));
            }

            Add(new DirectoryComponent(Layout.Directory(h), new NodeId(h), directory, path));
        }

        for (int k = 0; k < p.Disks; k++)
        {
            int node = Layout.NodeOfDisk(k);
            long[] toDirectory = [.. Enumerable.Range(0, nodes).Select(h => p.IoBusLatencyPs + Network.LatencyPs(node, h))];
            Add(new DiskComponent(Layout.Disk(k), k, p, Layout, toDirectory));
        }

        // Every message a node controller sends leaves after its occupancy: that is part of each path's minimum.
        for (int n = 0; n < nodes; n++)
        {
            for (int h = 0; h < nodes; h++)
            {
                Connect(Layout.Processor(n), Layout.Directory(h), ProcessorToDirectoryPs(n, h));
                Connect(Layout.Directory(h), Layout.Processor(n), p.ControllerOccupancyPs + p.BusLatencyPs + Network.LatencyPs(h, n));
            }

            for (int k = 0; k < p.Disks; k++)
            {
                int dn = Layout.NodeOfDisk(k);
                Connect(Layout.Processor(n), Layout.Disk(k), ProcessorToDiskPs(n, k));
                Connect(Layout.Disk(k), Layout.Processor(n), p.IoBusLatencyPs + Network.LatencyPs(dn, n) + p.BusLatencyPs);
                Connect(Layout.Disk(k), Layout.Directory(n), p.IoBusLatencyPs + Network.LatencyPs(dn, n));
                Connect(Layout.Directory(n), Layout.Disk(k), p.ControllerOccupancyPs + p.IoBusLatencyPs + Network.LatencyPs(n, dn));
            }
        }
    }
}
