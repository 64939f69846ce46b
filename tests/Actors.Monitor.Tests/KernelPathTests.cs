using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// The IRIX-like kernel's paths are built from their structure (issue 15): what a refill and a page's zeroing do is
/// instructions and memory accesses, never a delay.
/// </summary>
public class KernelPathTests
{
    private static readonly GuestParams Params = new();

    private static KernelCodeWriter Writer(bool underMonitor) => new(Params, relocated: underMonitor, monitorZeroes: underMonitor, lineBytes: 128);

    private static GuestPrivileged Privileged(Operation op) => GuestPrivilegedOps.Decode(op).Code;

    [Fact]
    public void A_utlb_refill_runs_its_handlers_instructions_loads_the_pte_pair_and_writes_the_tlb_then_returns()
    {
        const int asid = 3;
        const long oddVpn = 0x10_0005;
        var ops = FaultHandler.UtlbRefill(Writer(underMonitor: false), asid, oddVpn);

        // mfc0 Context, two PTE loads, two mtc0 EntryLo: fetched as the path's instructions; tlbwr and eret apart.
        var fetch = Assert.Single(ops, o => o.Kind == OperationKind.Instructions);
        Assert.Equal(Params.Path(KernelCode.UtlbRefill).Instructions, fetch.Count);
        var loads = ops.Where(o => o.Kind == OperationKind.Load).ToArray();
        Assert.Equal([GuestLayout.PteAddress(asid, oddVpn - 1), GuestLayout.PteAddress(asid, oddVpn)], loads.Select(o => o.Value));
        Assert.Equal(loads[0].Value >> 6, (loads[1].Value + loads[1].Count - 1) >> 6);
        Assert.Equal([GuestPrivileged.TlbWrite, GuestPrivileged.Exit], ops.Where(o => o.Kind == OperationKind.Privileged).Select(Privileged));
        Assert.DoesNotContain(ops, o => o.Kind is OperationKind.Store or OperationKind.Compute or OperationKind.Idle);
    }

    [Fact]
    public void Bare_hardware_zeroes_a_page_with_a_bzero_loop_that_stores_every_word_of_every_line()
    {
        const long page = 700;
        var writer = Writer(underMonitor: false);
        var ops = new List<Operation>();
        writer.Zero(ops, page);

        long start = writer.KernelAddress(page, 0);
        var stores = ops.Where(o => o.Kind == OperationKind.Store).ToArray();
        Assert.Equal(GuestLayout.PageBytes / 8, stores.Length);
        Assert.Equal(Enumerable.Range(0, GuestLayout.PageBytes / 8).Select(w => start + (w * 8L)), stores.Select(o => o.Value).Order());
        Assert.All(stores, o => Assert.Equal(8, o.Count));
        Assert.Equal(GuestLayout.PageBytes / 64, stores.Select(o => o.Value >> 6).Distinct().Count());

        // One loop iteration per 64 bytes, each fetching the loop's instructions.
        var fetches = ops.Where(o => o.Kind == OperationKind.Instructions).ToArray();
        Assert.Equal(GuestLayout.PageBytes / KernelCodeWriter.BzeroChunkBytes, fetches.Length);
        Assert.All(fetches, f => Assert.Equal(Params.Path(KernelCode.Bzero).Instructions, f.Count));
        Assert.Single(fetches.Select(f => f.Value).Distinct());
        Assert.DoesNotContain(ops, o => o.Kind == OperationKind.Privileged);
    }

    [Fact]
    public void Under_the_monitor_the_guest_asks_the_monitor_to_zero_the_page_and_runs_no_bzero()
    {
        var ops = new List<Operation>();
        Writer(underMonitor: true).Zero(ops, 700);
        var call = Assert.Single(ops);
        Assert.Equal(GuestPrivileged.ZeroPage, Privileged(call));
    }

    [Fact]
    public void A_stat_runs_the_first_part_of_opens_code_over_the_first_lines_of_opens_data()
    {
        var writer = Writer(underMonitor: false);
        var stat = new List<Operation>();
        var open = new List<Operation>();
        writer.Body(stat, KernelCode.Stat);
        writer.Body(open, KernelCode.Open);

        var statFetch = Assert.Single(stat, o => o.Kind == OperationKind.Instructions);
        var openFetch = Assert.Single(open, o => o.Kind == OperationKind.Instructions);
        Assert.Equal(openFetch.Value, statFetch.Value);
        Assert.Equal(Params.Path(KernelCode.Stat).Instructions, statFetch.Count);
        Assert.True(statFetch.Count < openFetch.Count);

        static long[] DataLines(List<Operation> ops) => [.. ops.Where(o => o.Kind is OperationKind.Load or OperationKind.Store).Select(o => o.Value)];
        long[] statLines = DataLines(stat);
        Assert.Equal(Params.Path(KernelCode.Stat).DataLines, statLines.Length);
        Assert.Equal(DataLines(open).Take(statLines.Length), statLines);
    }

    [Fact]
    public void A_stat_path_longer_than_opens_is_refused_naming_paths_stat()
    {
        Assert.Empty(Params.Problems());
        var paths = (PathCost[])Params.Paths.Clone();
        paths[(int)KernelCode.Stat] = new(Params.Path(KernelCode.Open).Instructions + 1, 1);
        Assert.Contains((Params with { Paths = paths }).Problems(), p => p.Key == "paths.stat");
        paths[(int)KernelCode.Stat] = new(1, Params.Path(KernelCode.Open).DataLines + 1);
        Assert.Contains((Params with { Paths = paths }).Problems(), p => p.Key == "paths.stat");
    }

    [Fact]
    public void The_default_paths_match_the_keys()
    {
        Assert.Equal(GuestParams.CodeCount, GuestParams.CodeKeys.Length);
        Assert.Equal(GuestParams.CodeCount, Params.Paths.Length);
        Assert.Equal(GuestParams.CodeCount, Enum.GetValues<KernelCode>().Length);
        Assert.True(MachineConstants.PageSizeBytes % KernelCodeWriter.BzeroChunkBytes == 0);
    }
}
