namespace Disco.Actors.Monitor.Numa;

/// <summary>
/// What the policy reads of a hot-page interrupt and the page: the page's misses per node in the interval, its
/// writes, the node that made it hot, where the page is (its node) and which nodes hold a replica.
/// </summary>
/// <param name="Page">The machine page the interrupt names (a replica's original).</param>
/// <param name="HotNode">The node whose misses reached the trigger.</param>
/// <param name="NodeMisses">Misses of each node to the page in the interval.</param>
/// <param name="Writes">Writes to the page in the interval (from every node).</param>
/// <param name="PageNode">The node the page is on.</param>
/// <param name="ReplicaNodes">Nodes with a replica of the page.</param>
public readonly record struct HotPage(long Page, int HotNode, IReadOnlyList<int> NodeMisses, int Writes, int PageNode, IReadOnlyCollection<int> ReplicaNodes);
