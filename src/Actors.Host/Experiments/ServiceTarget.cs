namespace Disco.Actors.Host.Experiments;

/// <summary>
/// A published figure a bare workload is calibrated on (<c>experiment.targets.services</c>): a kernel service's share
/// of the kernel service time and its average time per call, with where it comes from.
/// </summary>
internal sealed record ServiceTarget(string Group, string Service, double SharePct, double AverageUs, string Source);
