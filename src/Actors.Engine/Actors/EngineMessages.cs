using Akka.Actor;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>Marker of the engine's own protocol: bound to the binary serializer for checkpoints and the wire.</summary>
public interface IEngineMessage
{
}

/// <summary>Conductor → partition, once: the other partitions' addresses, indexed by partition.</summary>
internal sealed record WirePartitions(IActorRef[] Partitions) : IEngineMessage;

/// <summary>
/// Conductor → partition: handle every event before <paramref name="EndPs"/>, once the
/// <paramref name="ExpectedBatches"/> batches that earlier windows sent here have all arrived. Batches of this or
/// later windows do not count: between processes a later batch can overtake an earlier one. Window 0 first starts
/// the components. <paramref name="Batches"/>: batches the conductor relays (conductor windows: see
/// <see cref="WindowDone.Relay"/>), delivered before anything else.
/// </summary>
internal sealed record OpenWindow(long Window, long EndPs, long ExpectedBatches, bool StartComponents, EventBatch[]? Batches = null) : IEngineMessage;

/// <summary>
/// The events window <paramref name="Window"/> of one partition sent to another, all at or after that window's end.
/// Never a message of its own: it travels inside the sender's <see cref="WindowDone"/> (to its destination with peer
/// windows, to the conductor otherwise) and from the conductor inside the next message to the destination.
/// </summary>
internal sealed record EventBatch(int FromPartition, long Window, Event[] Events) : IEngineMessage;

/// <summary>
/// Partition → conductor after its window: how many events it handled, its next event time, its promise (no
/// message it sends can arrive anywhere before that time unless a message reaches it first) and, per destination
/// partition it sent a batch to, the earliest time in that batch and the promise that batch gives its destination
/// (<see cref="EventLoop.ReactionPs"/>); <paramref name="BusyTicks"/>: the wall time the
/// window took (<see cref="System.Diagnostics.Stopwatch"/> ticks), for the engine's statistics only.
/// <paramref name="Relay"/>: with conductor windows the batches themselves, for the conductor to hand to their
/// destinations with the next message it sends them anyway (an open, a checkpoint or a collect): with one actor per
/// component a batch of its own per destination was a third of all the engine's messages. With peer windows, the
/// one batch for the partition the report goes to (a report goes to every peer anyway).
/// </summary>
internal sealed record WindowDone(
    int Partition,
    long Window,
    long Handled,
    long NextEventPs,
    long PromisePs,
    long LastHandledPs,
    int[] BatchDestinations,
    long[] BatchMinPs,
    long[] BatchReactionPs,
    long BusyTicks = 0,
    EventBatch[]? Relay = null) : IEngineMessage;

/// <summary>
/// Conductor → partition between windows: once the <paramref name="ExpectedBatches"/> batches sent here by windows
/// before <paramref name="BeforeWindow"/> have arrived (so the cut holds every event sent before it), encode your
/// components and pending events.
/// </summary>
internal sealed record TakeCheckpoint(long Epoch, long BeforeWindow, long ExpectedBatches, EventBatch[]? Batches = null) : IEngineMessage;

/// <summary>Partition → conductor: one partition's share of a checkpoint.</summary>
internal sealed record PartitionImage(int Partition, long Epoch, byte[] Image) : IEngineMessage;

/// <summary>Conductor → itself: the store has the epoch (or failed to store it).</summary>
internal sealed record CheckpointStored(Checkpoints.CheckpointCompleted? Completed, Exception? Failure) : INoSerializationVerificationNeeded;

/// <summary>
/// Conductor → partition: report your components, at the end of the run (<paramref name="SampleTimePs"/> = -1) or
/// for a metrics sample between windows, once it has the <paramref name="ExpectedBatches"/> batches of the windows
/// before <paramref name="BeforeWindow"/>.
/// </summary>
internal sealed record CollectResults(long SampleTimePs, long BeforeWindow, long ExpectedBatches, bool StateHashes = false, EventBatch[]? Batches = null) : IEngineMessage
{
    public const long FinalSample = -1;
}

/// <summary>Partition → conductor: its components' reports; <paramref name="MessagesSent"/>: the engine messages it has sent so far (windows, batches, reports), for the engine's statistics only.</summary>
internal sealed record PartitionResults(int Partition, long SampleTimePs, ComponentReport[] Components, long MessagesSent = 0) : IEngineMessage;

/// <summary>Worker → conductor: the partitions it created for this run, and their addresses.</summary>
public sealed record PartitionsHosted(int[] Partitions, IActorRef[] Refs) : IEngineMessage;

/// <summary>Worker → conductor: a hosted partition failed (its component threw); the run cannot go on.</summary>
public sealed record PartitionFailed(int Partition, string Error, bool BadInput) : IEngineMessage;

/// <summary>
/// Conductor → partitions, peer windows only: open windows on your own up to window <paramref name="Grant"/>, and
/// none that would reach <paramref name="CapPs"/> (the next checkpoint or metrics sample). The cap only changes
/// while every partition waits for the conductor, so every partition opens the same windows.
/// </summary>
/// <remarks><paramref name="Generation"/> numbers the conductor's Proceeds: a wait reported under an older one is moot (the partition reports again once the newer one arrives).</remarks>
internal sealed record Proceed(long Grant, long CapPs, long Generation) : IEngineMessage;

/// <summary>
/// Partition → conductor, peer windows only: window <paramref name="Window"/> is complete here (every so many windows,
/// and whenever the partition stops to wait for a <see cref="Proceed"/>: <paramref name="Waiting"/>). Counts are
/// cumulative; <paramref name="ExpectedBatches"/> is what a checkpoint taken now must wait for.
/// </summary>
internal sealed record WindowReached(
    int Partition,
    long Window,
    long EarliestPs,
    bool Waiting,
    long Handled,
    long BusyTicks,
    long LastHandledPs,
    long ExpectedBatches,
    long Generation) : IEngineMessage;

/// <summary>
/// Conductor → group (<see cref="GroupConductor"/>), once: its members' addresses, in partition order. Group messages
/// never leave the process (remote partitions keep the one-level conductor), so they have no wire format.
/// </summary>
internal sealed record GroupMembers(IActorRef[] Members) : INoSerializationVerificationNeeded;

/// <summary>
/// Conductor → group: open window <paramref name="Window"/> for the woken <paramref name="Members"/> (partition
/// indices, ascending), each once it holds its <paramref name="ExpectedBatches"/>; <paramref name="Batches"/>: batches
/// other groups sent to members of this one, with their destination partitions.
/// </summary>
internal sealed record GroupOpen(long Window, long EndPs, bool StartComponents, int[] Members, long[] ExpectedBatches, EventBatch[]? Batches, int[]? BatchDestinations) : INoSerializationVerificationNeeded;

/// <summary>
/// Group → conductor, once all the members it opened have reported: their rows of the book, and per batch they sent
/// its destination, least time and least reaction, one after another (not summed per destination: a PHOLD group's
/// batches of a window nearly all go to different partitions, so summing only cost a lookup per batch).
/// <paramref name="Relay"/>: the batches for partitions of other groups (batches between members stay in the group).
/// Counts and ticks are this window's; <paramref name="CoordinatorTicks"/> estimates the group's own handling time.
/// </summary>
internal sealed record GroupDone(
    long Window,
    long Handled,
    long LastHandledPs,
    int[] Members,
    long[] NextPs,
    long[] PromisePs,
    long[] MemberHandled,
    long[] MemberBusyTicks,
    int[] Destinations,
    long[] MinPs,
    long[] ReactionPs,
    EventBatch[]? Relay,
    int[]? RelayDestinations,
    long CoordinatorTicks) : INoSerializationVerificationNeeded;

/// <summary>
/// Conductor → group between windows: pass <paramref name="Checkpoint"/> or <paramref name="Collect"/> to every
/// member with its own expected batch count (<paramref name="ExpectedBatches"/>, in member order) and the batches the
/// group and the conductor hold for it. The members answer the conductor directly.
/// </summary>
internal sealed record GroupBoundary(long[] ExpectedBatches, EventBatch[]? Batches, int[]? BatchDestinations, TakeCheckpoint? Checkpoint, CollectResults? Collect) : INoSerializationVerificationNeeded;
