using System.Numerics;

namespace Disco.Actors.Hardware.Interconnect;

/// <summary>
/// One-way latency of the interconnect between two node controllers: 0 within a node, else
/// <c>base + per hop × hops</c> for the topology; 0 everywhere on the UMA machine (its flat memory latency is the local
/// one). The network is modelled as latency only (no link contention): it is the link table of the model, not a
/// component, so that a message crosses it in one event and the lookahead stays the full path latency.
/// </summary>
public sealed class Network
{
    private readonly long[] _latencyPs;

    public Network(int nodes, Topology topology, long baseLatencyPs, long perHopLatencyPs, bool uma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(baseLatencyPs);
        ArgumentOutOfRangeException.ThrowIfNegative(perHopLatencyPs);
        Nodes = nodes;
        Topology = topology;
        Uma = uma;
        _latencyPs = new long[nodes * nodes];
        for (int a = 0; a < nodes; a++)
        {
            for (int b = 0; b < nodes; b++)
            {
                _latencyPs[(a * nodes) + b] = a == b || uma ? 0 : baseLatencyPs + (perHopLatencyPs * Hops(topology, nodes, a, b));
            }
        }
    }

    public int Nodes { get; }

    public Topology Topology { get; }

    public bool Uma { get; }

    /// <summary>One-way latency from node controller <paramref name="from"/> to node controller <paramref name="to"/>.</summary>
    public long LatencyPs(int from, int to) => _latencyPs[(from * Nodes) + to];

    public static int Hops(Topology topology, int nodes, int a, int b)
    {
        if (a == b)
        {
            return 0;
        }

        switch (topology)
        {
            case Topology.Hypercube:
                return BitOperations.PopCount((uint)(a ^ b));
            case Topology.Mesh:
                int width = (int)Math.Ceiling(Math.Sqrt(nodes));
                return Math.Abs((a % width) - (b % width)) + Math.Abs((a / width) - (b / width));
            default:
                return 1;
        }
    }
}
