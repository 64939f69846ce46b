using Disco.Actors.Engine.Configuration;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// Where the monitor's own code and data sit in machine memory [D 4.2.2]: the pages the footprint counts as
/// "monitor" (<see cref="MonitorParams.FootprintPages"/>, the same structures rounded the same way), taken from the
/// top of a node's memory and never handed to a guest (<see cref="NodeAllocator"/> is given
/// <see cref="ReservedPerNode"/>). Its code is on every node with <see cref="MonitorParams.ReplicateCode"/>, else on
/// node 0 only; the memmap is on node 0 (the page manager's node); a VM's pmap on the node of its first VCPU; a
/// VCPU's second-level TLB and saved state on the node of the processor it starts on. Immutable: built from the
/// configuration, so nothing of it is checkpointed. An address is -1 where its structure has no bytes.
/// </summary>
public sealed class MonitorMemory
{
    private const int PageBytes = MachineConstants.PageSizeBytes;

    private readonly long[] _reserved;
    private readonly long[] _codePage;
    private readonly long _memmapPage;
    private readonly long[] _pmapPage;
    private readonly long[] _vcpuPage;
    private readonly long _l2TlbBytes;
    private readonly int _pmapEntryBytes;
    private readonly int _memmapEntryBytes;
    private readonly int _l2TlbEntryBytes;
    private readonly int _vcpuStateBytes;

    /// <param name="vmGuestPages">Guest-physical pages of each VM, by VM number.</param>
    /// <param name="vcpus">Each VCPU's VM and the node it starts on, by VCPU number.</param>
    public MonitorMemory(MonitorParams monitor, int nodes, long pagesPerNode, IReadOnlyList<long> vmGuestPages, IReadOnlyList<(int Vm, int Node)> vcpus)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(vmGuestPages);
        ArgumentNullException.ThrowIfNull(vcpus);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pagesPerNode, 1);
        _reserved = new long[nodes];
        _pmapEntryBytes = monitor.PmapEntryBytes;
        _memmapEntryBytes = monitor.MemmapEntryBytes;
        _l2TlbEntryBytes = monitor.L2TlbEntryBytes;
        _vcpuStateBytes = monitor.VcpuStateBytes;
        _l2TlbBytes = (long)monitor.L2TlbEntries * monitor.L2TlbEntryBytes;

        // From the top of each node down: a guest's first pages (low offsets, its preferred colours) stay free.
        long Take(int node, long bytes)
        {
            _reserved[node] += Pages(bytes);
            if (_reserved[node] >= pagesPerNode)
            {
                throw new BadInputException("disco.monitor.memory", $"the monitor's code and data need {_reserved[node]} pages of node {node}, which has {pagesPerNode}: give the machine more memory (machine.memory-mb) or the monitor smaller structures");
            }

            return ((node + 1) * pagesPerNode) - _reserved[node];
        }

        CodePages = Pages(monitor.CodeBytes);
        _codePage = new long[nodes];
        for (int n = 0; n < nodes; n++)
        {
            _codePage[n] = monitor.ReplicateCode || n == 0 ? Take(n, monitor.CodeBytes) : _codePage[0];
        }

        _memmapPage = Take(0, nodes * pagesPerNode * monitor.MemmapEntryBytes);
        _pmapPage = new long[vmGuestPages.Count];
        for (int vm = 0; vm < vmGuestPages.Count; vm++)
        {
            int first = Enumerable.Range(0, vcpus.Count).FirstOrDefault(i => vcpus[i].Vm == vm, -1);
            _pmapPage[vm] = Take(first >= 0 ? vcpus[first].Node : 0, vmGuestPages[vm] * monitor.PmapEntryBytes);
        }

        _vcpuPage = new long[vcpus.Count];
        for (int i = 0; i < vcpus.Count; i++)
        {
            _vcpuPage[i] = Take(vcpus[i].Node, _l2TlbBytes + monitor.VcpuStateBytes);
        }
    }

    /// <summary>Pages of monitor code on a node that has a copy.</summary>
    public long CodePages { get; }

    /// <summary>Pages kept for the monitor at the top of each node's memory.</summary>
    public IReadOnlyList<long> ReservedPerNode => _reserved;

    /// <summary>All the monitor's pages: equal to <see cref="MonitorParams.FootprintPages"/> for the same run.</summary>
    public long Pages() => _reserved.Sum();

    /// <summary>Machine address of the first byte of the monitor's code a processor of <paramref name="node"/> runs: its node's copy, or node 0's.</summary>
    public long CodeAddress(int node) => CodePages > 0 ? _codePage[node] * PageBytes : -1;

    /// <summary>Machine address of VM <paramref name="vm"/>'s pmap entry for <paramref name="guestPage"/>.</summary>
    public long PmapEntry(int vm, long guestPage) => _pmapEntryBytes > 0 && guestPage >= 0 ? (_pmapPage[vm] * PageBytes) + (guestPage * _pmapEntryBytes) : -1;

    /// <summary>Machine address of the memmap entry of <paramref name="machinePage"/>.</summary>
    public long MemmapEntry(long machinePage) => _memmapEntryBytes > 0 && machinePage >= 0 ? (_memmapPage * PageBytes) + (machinePage * _memmapEntryBytes) : -1;

    /// <summary>Machine address of slot <paramref name="slot"/> of VCPU <paramref name="vcpu"/>'s second-level TLB.</summary>
    public long L2TlbEntry(int vcpu, int slot) => _l2TlbEntryBytes > 0 ? (_vcpuPage[vcpu] * PageBytes) + ((long)slot * _l2TlbEntryBytes) : -1;

    /// <summary>Machine address of byte <paramref name="offset"/> of VCPU <paramref name="vcpu"/>'s saved state (after its second-level TLB).</summary>
    public long VcpuState(int vcpu, int offset) => offset < _vcpuStateBytes ? (_vcpuPage[vcpu] * PageBytes) + _l2TlbBytes + offset : -1;

    /// <summary>True when <paramref name="machinePage"/> is one of the monitor's (at the top of its node).</summary>
    public bool IsMonitorPage(long machinePage, long pagesPerNode)
    {
        int node = (int)(machinePage / pagesPerNode);
        return node < _reserved.Length && machinePage % pagesPerNode >= pagesPerNode - _reserved[node];
    }

    private static long Pages(long bytes) => (bytes + PageBytes - 1) / PageBytes;
}
