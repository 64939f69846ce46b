namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// What the scheduler decided: hand the loaded VCPU back (<paramref name="Park"/>, -1: no), ask for another's state
/// (<paramref name="Fetch"/>, -1: no), and whether the VCPU that runs now needs the hardware TLB flushed.
/// </summary>
public readonly record struct VcpuDecision(int Park, int Fetch, bool FlushTlb)
{
    /// <summary>Nothing changes.</summary>
    public static readonly VcpuDecision Keep = new(-1, -1, false);
}
