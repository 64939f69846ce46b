using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Model;

/// <summary>
/// A complete model instance: its components (ids 0..N-1, in order), their links and the end of simulated time.
/// Built deterministically from the configuration, so every process of a cluster can build the same one.
/// </summary>
public sealed class SimulationModel
{
    public SimulationModel(string name, IReadOnlyList<Component> components, LinkTable links, SimTime end, long seed, MessageCatalog? messages = null)
    {
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(links);
        if (links.ComponentCount != components.Count)
        {
            throw new ArgumentException($"link table covers {links.ComponentCount} components, the model has {components.Count}");
        }

        for (int i = 0; i < components.Count; i++)
        {
            if (components[i].Id.Value != i)
            {
                throw new ArgumentException($"component at index {i} has id {components[i].Id}: ids must be 0..N-1 in order");
            }

            components[i].Random = SimRandom.ForComponent(seed, components[i].Id);
        }

        Name = name;
        Components = components;
        Links = links;
        End = end;
        Seed = seed;
        Messages = messages ?? new MessageCatalog();
    }

    /// <summary>How to read back every message kind this model sends (checkpoints, batches between processes).</summary>
    public MessageCatalog Messages { get; }

    public string Name { get; }

    public IReadOnlyList<Component> Components { get; }

    public LinkTable Links { get; }

    /// <summary>Messages with a time at or after this are never handled.</summary>
    public SimTime End { get; }

    public long Seed { get; }

    /// <summary>
    /// How each component orders the messages it receives at one simulated time (canonical by default). Part of the
    /// run's identity: set it before the run starts, the same in every process.
    /// </summary>
    public Kernel.TieOrder TieOrder { get; set; } = Kernel.TieOrder.Canonical;
}
