using System.Globalization;

namespace Disco.Actors.Host.Output;

/// <summary>
/// The text of <c>disco report</c>: headline figures, the processor time breakdown and the guest kernel services,
/// one column group per run, the first run the reference (normalized 100, ratios against it).
/// </summary>
internal static class RunReport
{
    private const double PsPerSecond = 1e12;
    private const double PsPerMs = 1e9;
    private const string MonitorMode = Hardware.Processor.ProcessorComponent.MonitorModePrefix + ".";
    private const double PsPerUs = 1e6;

    public static void Write(TextWriter writer, IReadOnlyList<SummaryFile> runs)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(runs);
        for (int r = 0; r < runs.Count; r++)
        {
            writer.WriteLine($"{Name(r)}: {runs[r].Folder}");
        }

        writer.WriteLine();
        Headline(runs).WriteTo(writer);
        writer.WriteLine();
        writer.WriteLine("time breakdown (cpu_time_ps over all processors; norm: run 1 total = 100)");
        Breakdown(runs).WriteTo(writer);
        writer.WriteLine();
        if (runs.Any(r => r.MachineFootprint.Any(n => n > 0)))
        {
            writer.WriteLine("memory footprint (4 KB pages holding data, kernel pages once touched, at the end and at the peak; guest: summed over the VMs as if nothing were shared; machine: pages in use, and the monitor's own)");
            Footprint(runs).WriteTo(writer);
            writer.WriteLine();
        }

        if (runs.All(r => r.Services.Count == 0))
        {
            writer.WriteLine("guest kernel services: none in these runs");
            return;
        }

        writer.WriteLine(runs.Count > 1
            ? "guest kernel services (by run 1 total time; avg 2/1 = run 2 average over run 1 average)"
            : "guest kernel services (by total time)");
        Services(runs).WriteTo(writer);
        for (int r = 0; r < runs.Count; r++)
        {
            if (runs[r].Services.Any(s => s.Split.Count > 0))
            {
                writer.WriteLine();
                writer.WriteLine($"{Name(r)}: what each service's time went to under the monitor (% of the service's time)");
                Split(runs[r]).WriteTo(writer);
            }
        }
    }

    private static TextTable Split(SummaryFile run)
    {
        var withSplit = run.Services.Where(s => s.Split.Count > 0 && s.TimePs > 0).OrderByDescending(s => s.TimePs).ToList();
        var works = withSplit.SelectMany(s => s.Split.Select(p => p.Key)).Distinct(StringComparer.Ordinal).ToList();
        var table = new TextTable([.. works.Prepend("service")]);
        foreach (var service in withSplit)
        {
            var parts = service.Split.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            table.Add([.. works.Select(w => Fixed(100.0 * parts.GetValueOrDefault(w) / service.TimePs, 1)).Prepend(service.Name)]);
        }

        return table;
    }

    private static string Name(int run) => $"run {run + 1}";

    private static double? LocalShare(SummaryFile run)
    {
        long local = run.Counter("cache_misses.local");
        long all = local + run.Counter("cache_misses.remote");
        return all > 0 ? 100.0 * local / all : null;
    }

    private static TextTable Headline(IReadOnlyList<SummaryFile> runs)
    {
        var table = new TextTable([.. runs.Select((_, r) => Name(r)).Prepend("")]);
        void Row(string label, Func<SummaryFile, string> cell) => table.Add([.. runs.Select(cell).Prepend(label)]);
        Row("scenario", r => r.Scenario);
        Row("model", r => r.Model);
        int simDecimals = SecondsDecimals(runs.Max(r => r.SimTimePs));
        Row("sim time (s)", r => Seconds(r.SimTimePs, simDecimals));
        Row("instructions", r => Count(r.Instructions));
        Row("tlb_misses", r => Count(r.TlbMisses));
        Row("l2tlb_hits", r => Count(r.L2TlbHits));
        Row("page_faults", r => Count(r.PageFaults));
        Row("vms", r => Count(r.Vms));
        Row("disk reads issued", r => Count(r.DiskIssued));
        Row("disk reads shared", r => Count(r.DiskShared));
        if (runs.Any(r => r.Counter("disk_writes.issued") + r.Counter("disk_writes.private") > 0))
        {
            Row("disk writes issued", r => Count(r.Counter("disk_writes.issued")));
            Row("disk writes private", r => Count(r.Counter("disk_writes.private")));
        }

        if (runs.Any(r => r.Counter("cache_misses.local") + r.Counter("cache_misses.remote") > 0))
        {
            Row("local cache misses (%)", r => Fixed(LocalShare(r), 1));
        }

        if (runs.Any(r => r.Counter(MonitorMode + "fetches") > 0))
        {
            // The monitor's own code and data through the caches: accesses (L1 misses; L2 misses local/remote).
            Row("monitor fetches (L1I miss; L2 local/remote)", r => MonitorAccesses(r, "fetches", "l1i_misses", "fetch"));
            Row("monitor data (L1D miss; L2 local/remote)", r => MonitorAccesses(r, "data_accesses", "l1d_misses", "data"));
        }

        if (runs.Any(r => r.Counter("monitor.hot_page_interrupts") > 0))
        {
            Row("hot-page interrupts", r => Count(r.Counter("monitor.hot_page_interrupts")));
            Row("migrations", r => Count(r.Counter("migrations")));
            Row("replications", r => Count(r.Counter("replications")));
            Row("replica collapses", r => Count(r.Counter("monitor.numa.collapses")));
        }

        if (runs.Any(r => r.MemoryPages.Any(n => n > 0)))
        {
            // End of run and peak: pages a guest frees stay backed by the monitor, so the two tell different stories.
            Row("guest pages end/peak", r => $"{Count(r.MemoryPages[0])}/{Count(r.MemoryPages[2])}");
            Row("machine pages end/peak", r => $"{Count(r.MemoryPages[1])}/{Count(r.MemoryPages[3])}");
        }

        // SMP guests (bare or in VMs): the kernel's locks, then the faults a library OS left to the monitor.
        foreach (var (label, bare, monitor) in Locks)
        {
            if (runs.Any(r => r.Counter(bare) + r.Counter(monitor) > 0))
            {
                Row(label, r => label.EndsWith("(ms)", StringComparison.Ordinal)
                    ? Fixed((r.Counter(bare) + r.Counter(monitor)) / PsPerMs, 3)
                    : Count(r.Counter(bare) + r.Counter(monitor)));
            }
        }

        return table;
    }

    /// <summary>Headline rows of lock figures: label, the bare guest's counter, the monitor's (VCPUs') counter.</summary>
    private static readonly (string Label, string Bare, string Monitor)[] Locks =
    [
        ("memlock acquisitions", "hw.lock.acquires", "-"),
        ("memlock spin (ms)", "hw.lock.spin_ps", "-"),
        ("region_sem acquisitions", "guest.region_sem.acquisitions", "monitor.region_sem_acquisitions"),
        ("region_sem wait (ms)", "guest.region_sem.wait_ps", "monitor.region_sem_wait_ps"),
        ("process moves", "guest.process_moves", "-"),
        ("library_os_faults", "-", "monitor.library_os_faults"),
    ];

    private static TextTable Footprint(IReadOnlyList<SummaryFile> runs)
    {
        var table = new TextTable([.. runs.SelectMany((_, r) => new[] { $"{Name(r)} guest", "machine" }).Prepend("")]);
        var kinds = RunSummary.FootprintKinds;
        for (int k = 0; k < kinds.Length; k++)
        {
            table.Add([.. runs.SelectMany(r => new[] { Count(r.GuestFootprint[k]), Count(r.MachineFootprint[k]) }).Prepend(kinds[k])]);
        }

        table.Add([.. runs.SelectMany(r => new[] { Count(r.GuestFootprint.Sum()), Count(r.MachineFootprint.Sum()) }).Prepend("total")]);
        for (int k = 0; k < kinds.Length; k++)
        {
            table.Add([.. runs.SelectMany(r => new[] { Count(r.GuestFootprintPeak[k]), Count(r.MachineFootprintPeak[k]) }).Prepend("peak " + kinds[k])]);
        }

        table.Add([.. runs.SelectMany(r => new[] { Count(r.GuestFootprintPeak.Sum()), Count(r.MachineFootprintPeak.Sum()) }).Prepend("peak total")]);
        return table;
    }

    private static TextTable Breakdown(IReadOnlyList<SummaryFile> runs)
    {
        var reference = runs[0].CpuTime;
        int decimals = SecondsDecimals(runs.Max(r => r.CpuTime.TotalPs));
        var table = new TextTable([.. runs.SelectMany((_, r) => new[] { $"{Name(r)} s", "%", "norm" }).Prepend("bucket")]);
        for (int b = 0; b < TimeBreakdown.Buckets.Length; b++)
        {
            table.Add([.. runs.SelectMany(r => new[] { Seconds(r.CpuTime.Ps(b), decimals), Fixed(r.CpuTime.Percent(b), 1), Fixed(r.CpuTime.Normalized(b, reference), 1) })
                .Prepend(TimeBreakdown.Buckets[b])]);
        }

        table.Add([.. runs.SelectMany(r => new[] { Seconds(r.CpuTime.TotalPs, decimals), Fixed(r.CpuTime.TotalPs > 0 ? 100 : 0, 1), Fixed(r.CpuTime.NormalizedTotal(reference), 1) })
            .Prepend("total")]);
        return table;
    }

    private static TextTable Services(IReadOnlyList<SummaryFile> runs)
    {
        var byRun = runs.Select(r => r.Services.ToDictionary(s => s.Name, StringComparer.Ordinal)).ToArray();
        ServiceFigures Of(int run, string name) => byRun[run].GetValueOrDefault(name) ?? new ServiceFigures(name, 0, 0);

        // Run 1's costliest first; services run 1 never used follow, by the later runs' time.
        var names = byRun.SelectMany(d => d.Keys).Distinct(StringComparer.Ordinal)
            .OrderByDescending(n => Of(0, n).TimePs)
            .ThenByDescending(n => Enumerable.Range(0, runs.Count).Sum(r => Of(r, n).TimePs))
            .ThenBy(n => n, StringComparer.Ordinal);
        var header = runs.SelectMany((_, r) => new[] { $"{Name(r)} count", "ms", "avg µs" }).Prepend("service");
        var table = new TextTable([.. runs.Count > 1 ? header.Append("avg 2/1") : header]);
        foreach (string name in names)
        {
            var cells = Enumerable.Range(0, runs.Count)
                .SelectMany(r => new[] { Count(Of(r, name).Count), Fixed(Of(r, name).TimePs / PsPerMs, 3), Fixed(Of(r, name).AveragePs / PsPerUs, 2) })
                .Prepend(name);
            if (runs.Count > 1)
            {
                var (first, second) = (Of(0, name), Of(1, name));
                cells = cells.Append(Fixed(first.Count > 0 && second.Count > 0 && first.TimePs > 0 ? second.AveragePs / first.AveragePs : null, 2));
            }

            table.Add([.. cells]);
        }

        return table;
    }

    private static string Seconds(long ps, int decimals) => (ps / PsPerSecond).ToString($"F{decimals}", CultureInfo.InvariantCulture);

    /// <summary>
    /// Decimals that show the largest value of a column to 5 significant digits, and never fewer than 6 (µs): short
    /// runs last microseconds, long ones seconds, and one fixed format would flatten the short ones to zeros.
    /// </summary>
    private static int SecondsDecimals(long maxPs) =>
        maxPs <= 0 ? 6 : Math.Clamp(4 - (int)Math.Floor(Math.Log10(maxPs / PsPerSecond)), 6, 12);

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string MonitorAccesses(SummaryFile r, string accesses, string l1Misses, string kind) =>
        $"{Count(r.Counter(MonitorMode + accesses))} ({Count(r.Counter(MonitorMode + l1Misses))}; {Count(r.Counter($"{MonitorMode}l2_misses.{kind}_local"))}/{Count(r.Counter($"{MonitorMode}l2_misses.{kind}_remote"))})";

    /// <summary>A number with <paramref name="decimals"/> decimals; "-" where it has no meaning (no reference).</summary>
    private static string Fixed(double? value, int decimals) =>
        value is { } v ? v.ToString($"F{decimals}", CultureInfo.InvariantCulture) : "-";
}
