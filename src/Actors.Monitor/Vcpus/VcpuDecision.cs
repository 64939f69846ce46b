namespace Disco.Actors.Monitor.Vcpus;

/// <summary>What the scheduler decided: keep running, or run another VCPU (and whether the TLB must be flushed).</summary>
public readonly record struct VcpuDecision(bool Switched, bool FlushTlb);
