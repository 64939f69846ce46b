using Akka.Actor;

namespace Disco.Actors.Host.Cluster;

/// <summary>Marker of the conductor–worker protocol; bound to <see cref="ClusterMessageSerializer"/>.</summary>
internal interface IClusterMessage
{
}

/// <summary>Where a resumed cluster run's workers read the checkpoint from (the shared PostgreSQL store).</summary>
internal sealed record ResumeSpec(string RunId, string Db, long Epoch, long SimTimePs, long Events, long WallUnixMs, int Chunks, long Bytes, ulong ImageChecksum) : IClusterMessage;

/// <summary>
/// Conductor → worker: build the model of <see cref="ResolvedConfig"/>, host partitions <see cref="Assigned"/> of a
/// <see cref="Partitions"/>-way placement (0: one per component), and report to <see cref="Conductor"/>.
/// </summary>
internal sealed record HostPartitions(
    string ModelVersion, string ResolvedConfig, int Partitions, int[] Assigned, IActorRef Conductor, ResumeSpec? Resume, int Attempt) : IClusterMessage;

/// <summary>Worker → conductor: this worker will not take part (another model version, bad input on its side).</summary>
internal sealed record HostingRefused(string Worker, string Reason, bool BadInput) : IClusterMessage;

/// <summary>
/// Conductor → worker: the run is over; leave the cluster and exit with <see cref="ExitCode"/> — or, with
/// <see cref="Aborted"/>, drop this run's partitions and wait for the next attempt (auto-resume).
/// </summary>
internal sealed record RunFinished(int ExitCode) : IClusterMessage
{
    public const int Aborted = -1;
}
