namespace Disco.Actors.Monitor.Numa;

/// <summary>
/// The page migration and replication policy [D 4.2.3, V] (<c>disco.monitor.numa</c>). The trigger, "hot", is the
/// hardware's: <c>machine.hot-page.threshold</c> misses of one node to one page within
/// <c>machine.hot-page.reset-interval</c>, counted by the directories, raise the interrupt that reaches the policy.
/// [V]'s published values are not at hand: every default is our choice after PARAMETERS.md, a key to sweep.
/// </summary>
public sealed record NumaParams
{
    /// <summary>The monitor acts on hot-page interrupts (false: the machine is built to raise none, <see cref="Model.GuestMachine"/>).</summary>
    public bool Enabled { get; init; }

    /// <summary>The monitor acts on "replicate" decisions (false: counted, nothing copied; migrations go on).</summary>
    public bool Replicate { get; init; } = true;

    /// <summary>Misses in the interval from a node other than the hot one that make the page shared (else it is one node's and migrates).</summary>
    public int SharingThreshold { get; init; } = 32;

    /// <summary>Writes in the interval above which a shared page is write-shared and stays where it is (at most this many: it is replicated).</summary>
    public int WriteThreshold { get; init; } = 1;

    /// <summary>Moves (migrations or replications) of one page per interval at most.</summary>
    public int MoveLimit { get; init; } = 1;

    /// <summary>Migrations back to the node a page last left that freeze it (a page that keeps bouncing).</summary>
    public int BounceLimit { get; init; } = 2;

    /// <summary>How long a frozen page stays where it is.</summary>
    public long FreezePs { get; init; } = 1_000_000_000_000;

    /// <summary>The policy's own work on the interrupted processor: reading the counters, deciding (instructions, our choice).</summary>
    public long PolicyPs { get; init; } = 2_000_000;

    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (SharingThreshold < 1)
        {
            yield return ("sharing-threshold", $"must be at least 1 miss (got {SharingThreshold})");
        }

        if (WriteThreshold < 0)
        {
            yield return ("write-threshold", $"must not be negative (got {WriteThreshold})");
        }

        if (MoveLimit < 1)
        {
            yield return ("move-limit", $"must be at least 1 move per interval (got {MoveLimit}); enabled = false turns the policy off");
        }

        if (BounceLimit < 1)
        {
            yield return ("bounce-limit", $"must be at least 1 (got {BounceLimit})");
        }

        if (FreezePs < 0)
        {
            yield return ("freeze", $"must not be negative (got {FreezePs} ps)");
        }

        if (PolicyPs < 0)
        {
            yield return ("policy-cost", $"must not be negative (got {PolicyPs} ps)");
        }
    }
}
