namespace Disco.Actors.Hardware.Interconnect;

/// <summary>How the nodes are joined. Hops between two nodes are what the network latency grows with.</summary>
public enum Topology
{
    /// <summary>Binary hypercube: hops = bits in which the node numbers differ (FLASH's own network was a hypercube-like fabric).</summary>
    Hypercube,

    /// <summary>Two-dimensional mesh, row-major, width = ceil(sqrt(nodes)): hops = Manhattan distance.</summary>
    Mesh,

    /// <summary>Every remote node one hop away (a crossbar).</summary>
    Crossbar,
}
