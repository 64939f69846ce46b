using Akka.Actor;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// Creates partition actors for some of a placement's partitions: all of them under the conductor in one process,
/// or a worker's share in a cluster. Every process builds the same model from the same configuration, so a
/// partition's components are the same objects wherever it is hosted.
/// </summary>
public static class PartitionHosting
{
    /// <param name="factory">Where the actors are created (the conductor's context, or a worker's host actor).</param>
    /// <param name="partitions">The partition indices to host, in the order their actors are created.</param>
    /// <param name="conductor">Where the partitions report.</param>
    /// <param name="resume">A checkpoint already loaded into <paramref name="model"/>; its pending events of these partitions are restored.</param>
    /// <param name="trace">Where the loops record the messages they handle, or null.</param>
    /// <param name="windowReports">Where partition p reports its conductor windows, when not to <paramref name="conductor"/>: its group.</param>
    /// <param name="namePrefix">
    /// Prefix of the actors' names. A cluster run that restarts gives every attempt its own, so that a message of an
    /// aborted attempt can never reach an actor of the next one through a reused path.
    /// </param>
    public static IActorRef[] Create(
        IActorRefFactory factory, SimulationModel model, Placement placement, IReadOnlyList<int> partitions, IActorRef conductor, string dispatcher, CheckpointImage? resume, string namePrefix = "", Tracing.MessageTrace? trace = null, Func<int, IActorRef>? windowReports = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(placement);
        ArgumentNullException.ThrowIfNull(partitions);
        var loops = new Dictionary<int, EventLoop>(partitions.Count);
        foreach (int p in partitions)
        {
            loops[p] = new EventLoop(model, placement, p) { Trace = trace?.ForLoop() };
        }

        if (resume is not null)
        {
            foreach (var e in resume.Events)
            {
                if (loops.TryGetValue(placement.PartitionOfArray[e.Target], out var loop))
                {
                    loop.Restore(in e);
                }
            }
        }

        return [.. partitions.Select(p => factory.ActorOf(PartitionActor.Props(loops[p], conductor, dispatcher, model.End.Ps, windowReports?.Invoke(p)), namePrefix + PartitionName(model, placement, p)))];
    }

    /// <summary>Actor names read like the machine: one component's name, or the partition's number.</summary>
    public static string PartitionName(SimulationModel model, Placement placement, int p)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(placement);
        var members = placement.Members[p];
        string name = members.Length == 1 ? model.Components[members[0]].ToString().Replace('#', '-') : $"partition-{p}";
        return Uri.EscapeDataString(name);
    }
}
