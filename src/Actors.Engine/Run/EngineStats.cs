namespace Disco.Actors.Engine.Run;

/// <summary>
/// How the actor engine spent a run: its windows, and per partition the events it handled and the wall time it spent
/// inside its event loop. Cheap counters (a few per window, none per event); describes the layout, never the model.
/// </summary>
/// <param name="Windows">Conservative windows opened (the start window excluded).</param>
/// <param name="PartitionEvents">Events handled per partition, indexed by partition.</param>
/// <param name="PartitionBusySeconds">Wall seconds each partition spent running its windows (event loop and shipping its batches).</param>
/// <param name="CoordinatorSeconds">Wall seconds spent deciding windows (the conductor's handlers, estimated from one message in eight, or the partitions' own window decisions).</param>
public sealed record EngineStats(long Windows, long[] PartitionEvents, double[] PartitionBusySeconds, double CoordinatorSeconds)
{
    public long Events => PartitionEvents.Sum();

    public double EventsPerWindow => Windows > 0 ? (double)Events / Windows : 0;

    /// <summary>Engine messages (windows opened, batches, reports, grants) the conductor and the partitions sent; 0 when not counted.</summary>
    public long Messages { get; init; }

    /// <summary>Engine messages per event handled: what the actor layout costs beyond the events themselves.</summary>
    public double MessagesPerEvent => Events > 0 ? (double)Messages / Events : 0;

    /// <summary>The busiest partition's events over the mean (1 = perfectly balanced).</summary>
    public double EventImbalance
    {
        get
        {
            if (PartitionEvents.Length == 0 || Events == 0)
            {
                return 0;
            }

            return PartitionEvents.Max() / ((double)Events / PartitionEvents.Length);
        }
    }

    /// <summary>The busiest partition's busy time over the mean.</summary>
    public double BusyImbalance
    {
        get
        {
            double sum = PartitionBusySeconds.Sum();
            return PartitionBusySeconds.Length == 0 || sum <= 0 ? 0 : PartitionBusySeconds.Max() / (sum / PartitionBusySeconds.Length);
        }
    }

    /// <summary>
    /// The share of the run's wall time a partition spends outside its windows, on average: waiting for the others,
    /// for its batches and for the next window to open (the barrier), or for a thread.
    /// </summary>
    public double BarrierShare(double wallSeconds) =>
        wallSeconds <= 0 || PartitionBusySeconds.Length == 0 ? 0 : Math.Max(0, 1 - (PartitionBusySeconds.Average() / wallSeconds));
}
