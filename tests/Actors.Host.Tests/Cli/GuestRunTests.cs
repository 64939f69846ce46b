using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>The guest OS scenarios (experiment 1) end to end: bare vs Disco, checkpoints, the report, bad input.</summary>
public class GuestRunTests
{
    private static readonly string[] Small = ["--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=150000"];

    private static JsonObject Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();

    private static string Comparable(string dir)
    {
        var s = Summary(dir);
        foreach (string key in new[] { "wall_s", "events_per_s", "engine", "partitions", "threads" })
        {
            s.Remove(key);
        }

        return s.ToJsonString();
    }

    private static string Run(bool monitor, params string[] extra)
    {
        string dir = Repo.TempDir(monitor ? "pmake-disco" : "pmake-bare");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("pmake.hocon"), "--out", dir, "--set", $"monitor.enabled={(monitor ? "true" : "false")}", .. Small, .. extra]);
        Assert.True(exit == 0, err);
        return dir;
    }

    [Fact]
    public void Pmake_bare_and_under_Disco_writes_the_monitor_keys_and_the_report_sets_them_side_by_side()
    {
        string bare = Run(monitor: false);
        string disco = Run(monitor: true);
        var b = Summary(bare);
        var d = Summary(disco);
        Assert.Equal(0, b["cpu_time_ps"]!["monitor"]!.GetValue<long>());
        Assert.True(d["cpu_time_ps"]!["monitor"]!.GetValue<long>() > 0);
        Assert.True(d["l2tlb_hits"]!.GetValue<long>() > 0);
        Assert.Equal(b["page_faults"]!.GetValue<long>(), d["page_faults"]!.GetValue<long>());
        Assert.Equal(3, b["services"]!["execve"]!["count"]!.GetValue<long>());
        Assert.Equal(b["services"]!["open"]!["count"]!.GetValue<long>(), d["services"]!["open"]!["count"]!.GetValue<long>());
        Assert.Empty(b["vms"]!.AsArray());
        Assert.Equal(b["footprint"]!["guest"]!.ToJsonString(), b["footprint"]!["machine"]!.ToJsonString()); // bare: machine memory is guest memory
        Assert.Equal(b["memory_pages"]!["guest"]!.GetValue<long>(), b["memory_pages"]!["machine"]!.GetValue<long>());
        var vm = Assert.Single(d["vms"]!.AsArray())!;
        Assert.Equal(1, vm["vcpus"]!.GetValue<long>());
        Assert.True(vm["memory_pages"]!["machine"]!.GetValue<long>() > 0);
        Assert.True(d["memory_pages"]!["machine_peak"]!.GetValue<long>() >= d["memory_pages"]!["machine"]!.GetValue<long>());
        Assert.True(vm["memory_pages"]!["guest_peak"]!.GetValue<long>() >= vm["memory_pages"]!["guest"]!.GetValue<long>());
        Assert.True(vm["memory_pages"]!["guest"]!.GetValue<long>() >= vm["memory_pages"]!["machine"]!.GetValue<long>(), "the monitor backs only the guest pages that were used");

        string plot = Path.Combine(Repo.TempDir("plot"), "breakdown.png");
        var (exit, stdout, err) = CliRunner.Run("report", bare, disco, "--plot", plot);
        Assert.True(exit == 0, err);
        Assert.Contains("demand_zero", stdout, StringComparison.Ordinal);
        Assert.Contains("machine pages end/peak", stdout, StringComparison.Ordinal);
        Assert.Contains("monitor", stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(plot).Length > 0);
    }

    [Fact]
    public void The_8_VM_sharing_scenario_reports_guest_and_machine_footprints_by_kind()
    {
        string dir = Repo.TempDir("share8");
        var (exit, _, err) = CliRunner.Run("run", Repo.Scenario("sharing-pmake-8vm.hocon"), "--out", dir, "--engine", "sequential",
            "--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=200000");
        Assert.True(exit == 0, err);
        var s = Summary(dir);
        Assert.Equal(8, s["vms"]!.AsArray().Count);
        Assert.Equal("vm7", s["vms"]![7]!["name"]!.GetValue<string>());
        // Shared reads, counted by the page manager, checked against counts kept elsewhere: a guest read (counted by
        // the guest kernels) that did not become a disk request (counted by the disks) found its blocks cached, and
        // every VM but the one that read a block first finds blocks another VM brought in.
        long sharedReads = s["disk_requests"]!["shared"]!.GetValue<long>();
        long guestReads = s["counters"]!["monitor.vcpu"]!["guest.disk_reads"]!.GetValue<long>();
        long diskRequests = s["counters"]!["hw.disk"]!["hw.disk.requests"]!.GetValue<long>();
        Assert.Equal(s["disk_requests"]!["issued"]!.GetValue<long>(), diskRequests);
        Assert.True(sharedReads >= guestReads - diskRequests, $"{sharedReads} shared blocks for {guestReads - diskRequests} guest reads served from the cache");
        Assert.True(s["vms"]!.AsArray().Count(vm => vm!["disk_requests"]!["shared"]!.GetValue<long>() > 0) >= 7, "seven of the eight VMs map blocks another VM read");
        var guest = s["footprint"]!["guest"]!.AsObject();
        var machine = s["footprint"]!["machine"]!.AsObject();
        // The machine footprint is the pages the monitor hands out plus its own code and data.
        long monitorPages = machine["monitor"]!.GetValue<long>();
        Assert.True(monitorPages > 0);
        Assert.Equal(s["memory_pages"]!["machine"]!.GetValue<long>() + monitorPages, machine.Where(kv => kv.Key != "peak").Sum(kv => kv.Value!.GetValue<long>()));
        // The guest split is by construction (process pages are the rest): check its parts against the configuration
        // (config/akka.hocon: kernel-text-kb = 512, kernel-data-kb = 1024 per VM; pages count once touched) and the
        // guests' buffer caches (files cached at boot count once used).
        Assert.InRange(guest["kernel_text"]!.GetValue<long>(), 8, 8 * (512 / 4));
        Assert.InRange(guest["kernel_data"]!.GetValue<long>(), 8, 8 * (1024 / 4));
        Assert.InRange(guest["buffer_cache"]!.GetValue<long>(), 1, s["counters"]!["monitor.vcpu"]!["guest.buffer_cache_pages"]!.GetValue<long>());
        Assert.True(machine["peak"]!["process"]!.GetValue<long>() > 0);
        Assert.InRange(guest["process"]!.GetValue<long>(), 0, s["memory_pages"]!["guest"]!.GetValue<long>());
        Assert.True(machine["kernel_text"]!.GetValue<long>() * 4 < guest["kernel_text"]!.GetValue<long>());
        Assert.True(s["disk_requests"]!["shared"]!.GetValue<long>() > 0);

        var report = CliRunner.Run("report", dir, "--no-plot");
        Assert.Equal(0, report.Exit);
        Assert.Contains("memory footprint", report.Out, StringComparison.Ordinal);
        Assert.Contains("kernel_text", report.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void The_NFS_sharing_scenario_moves_file_pages_by_remapping_and_uses_less_machine_memory_for_buffers()
    {
        string[] small = ["--engine", "sequential", "--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=100000"];
        string local = Repo.TempDir("share8-local");
        string nfs = Repo.TempDir("share8-nfs");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("sharing-pmake-8vm.hocon"), "--out", local, .. small]).Exit);
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("sharing-pmake-8vm-nfs.hocon"), "--out", nfs, .. small]);
        Assert.True(exit == 0, err);
        var s = Summary(nfs);
        Assert.True(s["counters"]!["monitor.pages"]!["network.bytes_remapped"]!.GetValue<long>() > 0);
        long Buffers(string dir) => Summary(dir)["footprint"]!["machine"]!["buffer_cache"]!.GetValue<long>();
        Assert.True(Buffers(nfs) < Buffers(local), $"NFS clients share the server's file pages: {Buffers(nfs)} vs {Buffers(local)} machine pages of buffer cache");
    }

    [Fact]
    public void The_SMP_scaling_baseline_does_the_8_VMs_work_and_waits_on_the_memlock()
    {
        string[] small = ["--engine", "sequential", "--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=100000"];
        string smp = Repo.TempDir("scaling-bare");
        string vms = Repo.TempDir("scaling-8vm");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("scaling-pmake-bare.hocon"), "--out", smp, .. small]);
        Assert.True(exit == 0, err);
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("sharing-pmake-8vm.hocon"), "--out", vms, .. small]).Exit);
        var s = Summary(smp);
        var v = Summary(vms);
        Assert.Equal(v["cpu_time_ps"]!["user"]!.GetValue<long>(), s["cpu_time_ps"]!["user"]!.GetValue<long>());
        Assert.Equal(v["services"]!["execve"]!["count"]!.GetValue<long>(), s["services"]!["execve"]!["count"]!.GetValue<long>());
        Assert.True(s["counters"]!["hw.processor"]!["hw.lock.contended"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void The_NFS_scenario_resumed_from_a_checkpoint_ends_as_the_uninterrupted_run()
    {
        // Everything in flight crosses the checkpoint: NFS requests and replies, disk-cache reads, pmap fills.
        string[] small = ["--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=100000"];
        string reference = Repo.TempDir("nfs-reference");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("sharing-pmake-8vm-nfs.hocon"), "--out", reference, "--engine", "sequential", .. small]).Exit);
        string dir = Repo.TempDir("nfs-checkpointed");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("sharing-pmake-8vm-nfs.hocon"), "--out", dir, "--checkpoint-every", "10ms", "--partitions", "4", .. small]);
        Assert.True(exit == 0, err);
        Assert.Equal(Comparable(reference), Comparable(dir));
        var resumed = CliRunner.Run("resume", dir, "--epoch", "1", "--engine", "sequential");
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Equal(Comparable(reference), Comparable(dir));
    }

    private static readonly string[] SmallRadix = ["--set", "workload.radix.instructions=150000", "--set", "workload.radix.working-set-kb=128"];

    [Fact]
    public void Radix_on_IRIX_waits_on_the_region_semaphore_and_on_the_library_OS_the_monitor_takes_the_same_faults()
    {
        string irix = Repo.TempDir("radix-irix");
        string splash = Repo.TempDir("radix-splashos");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("radix-irix.hocon"), "--out", irix, "--engine", "sequential", .. SmallRadix]);
        Assert.True(exit == 0, err);
        (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("radix-splashos.hocon"), "--out", splash, "--engine", "sequential", .. SmallRadix]);
        Assert.True(exit == 0, err);
        var i = Summary(irix);
        var s = Summary(splash);
        Assert.Equal(i["cpu_time_ps"]!["user"]!.GetValue<long>(), s["cpu_time_ps"]!["user"]!.GetValue<long>());
        Assert.Equal(8 * (4 + 32), i["services"]!["demand_zero"]!["count"]!.GetValue<long>());
        // Every fault takes the region's semaphore. On a run this short the threads' start (fork and exec, under the
        // memlock, which a releaser re-takes from its own cache for the next path: a test-and-set lock is unfair)
        // staggers them, so their region faults seldom collide; RadixTests and the recorded run show the semaphore contended.
        Assert.Equal(i["services"]!["demand_zero"]!["count"]!.GetValue<long>(), i["counters"]!["hw.processor"]!["guest.region_sem.acquisitions"]!.GetValue<long>());
        Assert.True(i["counters"]!["hw.processor"]!["hw.lock.contended"]!.GetValue<long>() > 0);
        Assert.Equal(i["page_faults"]!.GetValue<long>(), s["counters"]!["monitor.vcpu"]!["monitor.library_os_faults"]!.GetValue<long>());
        Assert.Equal(0, s["counters"]!["guest.semaphore"]!["guest.region_sem.grants"]!.GetValue<long>());
        var (reportExit, stdout, reportErr) = CliRunner.Run("report", irix, splash);
        Assert.True(reportExit == 0, reportErr);
        Assert.Contains("monitor", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("radix-splashos.hocon")]
    [InlineData("radix-irix.hocon")]
    public void Radix_resumed_from_a_checkpoint_ends_as_the_uninterrupted_run(string scenario)
    {
        // In flight across the checkpoint: lock requests and grants (IRIX), pmap fills and zeroing (library OS).
        string reference = Repo.TempDir("radix-reference");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario(scenario), "--out", reference, "--engine", "sequential", .. SmallRadix]).Exit);
        string dir = Repo.TempDir("radix-checkpointed");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario(scenario), "--out", dir, "--checkpoint-every", "200us", "--partitions", "3", .. SmallRadix]);
        Assert.True(exit == 0, err);
        Assert.Equal(Comparable(reference), Comparable(dir));
        var resumed = CliRunner.Run("resume", dir, "--epoch", "2", "--engine", "sequential");
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Equal(Comparable(reference), Comparable(dir));
    }

    [Theory]
    [InlineData("monitor.enabled=false", "disco.guest.os: splashos runs only under the monitor")]
    [InlineData("workload.radix.files-per-job=1", "disco.workload.radix: splashos has no file system")]
    public void A_library_OS_where_it_cannot_run_is_named_with_exit_code_2(string set, string message)
    {
        string dir = Path.Combine(Repo.TempDir("bad-splashos"), "run");
        var (exit, stdout, err) = CliRunner.Run("run", Repo.Scenario("radix-splashos.hocon"), "--out", dir, "--set", set);
        Assert.Equal(2, exit);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFiles(dir, "summary.json").Any());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_guest_run_resumed_from_any_checkpoint_ends_as_the_uninterrupted_run(bool monitor)
    {
        string reference = Run(monitor, "--engine", "sequential");
        string dir = Repo.TempDir("checkpointed");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("pmake.hocon"), "--out", dir, "--set", $"monitor.enabled={monitor.ToString().ToLowerInvariant()}", "--checkpoint-every", "4ms", .. Small]);
        Assert.True(exit == 0, err);
        Assert.Equal(Comparable(reference), Comparable(dir));
        foreach (var (epoch, layout) in new[] { ("1", new[] { "--engine", "sequential" }), ("2", ["--partitions", "0"]) })
        {
            var resumed = CliRunner.Run(["resume", dir, "--epoch", epoch, .. layout]);
            Assert.True(resumed.Exit == 0, resumed.Err);
            Assert.Equal(Comparable(reference), Comparable(dir));
        }
    }

    [Theory]
    [InlineData("guest.memory-mb=1", "guest.memory-mb")]
    [InlineData("guest.memory-mb=512", "guest.memory-mb")]
    [InlineData("workload.pmake.call-kb=5", "workload.pmake.call-kb")]
    [InlineData("workload.pmake.lookups-per-open=-1", "workload.pmake.lookups-per-open")]
    [InlineData("workload.pmake.lookups-per-open=many", "workload.pmake.lookups-per-open")]
    [InlineData("guest.paths.stat.instructions=7001", "guest.paths.stat")]
    [InlineData("guest.paths.stat.data-lines=-1", "guest.paths.stat.data-lines")]
    [InlineData("workload.pmake.parallelism=0", "workload.pmake.parallelism")]
    [InlineData("workload.kind=trace", "workload.kind")]
    [InlineData("monitor.vms=0", "monitor.vms")]
    [InlineData("monitor.trap=-1", "monitor.trap")]
    [InlineData("monitor.trap=100ns", "monitor.trap")]
    [InlineData("monitor.emulate-privileged=-1", "monitor.emulate-privileged")]
    [InlineData("monitor.emulate-tlb-write=x", "monitor.emulate-tlb-write")]
    [InlineData("monitor.reflect=-1", "monitor.reflect")]
    [InlineData("monitor.l2tlb-lookup=-1", "monitor.l2tlb-lookup")]
    [InlineData("monitor.monitor-call=-1", "monitor.monitor-call")]
    [InlineData("monitor.dma-per-page=-1", "monitor.dma-per-page")]
    [InlineData("monitor.vcpu-switch=2us", "monitor.vcpu-switch")]
    [InlineData("monitor.interrupt=-1", "monitor.interrupt")]
    [InlineData("monitor.memory.code-kb=1", "monitor.memory.code-kb")]
    [InlineData("monitor.l2tlb-entries=0", "monitor.l2tlb-entries")]
    [InlineData("guest.paths.open.instructions=0", "guest.paths.open.instructions")]
    [InlineData("guest.paths.bzero.instructions=0", "guest.paths.bzero.instructions")]
    [InlineData("guest.privileged.exit=0", "guest.privileged.exit")]
    [InlineData("guest.smp.placement=nearby", "guest.smp.placement")]
    [InlineData("guest.smp.scheduling=gang", "guest.smp.scheduling")]
    [InlineData("guest.smp.affinity-steal=-1ms", "guest.smp.affinity-steal")]
    [InlineData("guest.smp.runqueue-latency=0ns", "guest.smp.runqueue-latency")]
    [InlineData("guest.nfs.threads=0", "guest.nfs.threads")]
    [InlineData("guest.smp.processors=2", "disco.guest.smp.processors: is 2, the machine has 1 processors")]
    [InlineData("guest.os=windows", "guest.os")]
    public void Impossible_guest_and_monitor_values_are_named_with_exit_code_2(string set, string key)
    {
        string dir = Path.Combine(Repo.TempDir("bad"), "run");
        var (exit, stdout, err) = CliRunner.Run("run", Repo.Scenario("pmake.hocon"), "--out", dir, "--set", set);
        Assert.Equal(2, exit);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(key, line, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("monitor.vms=2;monitor.persistent-root-disk=true", "monitor.persistent-root-disk: a persistent disk is mounted by one VM only")]
    [InlineData("monitor.vms=3;monitor.nfs.enabled=true;workload.pmake.sync-writes=true", "disco.workload.pmake.sync-writes: must be false with monitor.nfs.enabled")]
    [InlineData("workload.pmake.sync-writes=perhaps", "workload.pmake.sync-writes")]
    [InlineData("monitor.l2tlb-entries=16000000", "disco.monitor.memory: the monitor's code and data need")]
    [InlineData("guest.memory-mb=64;guest.smp.processors=2;guest.smp.placement=by-processor;machine.memory-mb=64;machine.nodes=4;monitor.enabled=false", "disco.guest.smp.placement: by-processor")]
    public void Impossible_disk_and_placement_settings_are_named_with_exit_code_2(string sets, string message)
    {
        string dir = Path.Combine(Repo.TempDir("bad-disk"), "run");
        string[] args = ["run", Repo.Scenario("pmake.hocon"), "--out", dir, "--set", "monitor.enabled=true", "--set", "machine.disk.count=2", .. sets.Split(';').SelectMany(x => new[] { "--set", x })];
        var (exit, stdout, err) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void A_guest_whose_memory_fills_during_the_run_stops_with_one_line_and_exit_code_2()
    {
        string dir = Path.Combine(Repo.TempDir("full"), "run");
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario("pmake.hocon"), "--out", dir, "--set", "guest.memory-mb=3", .. Small]);
        Assert.Equal(2, exit);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("disco.guest.memory-mb: guest memory is full", line, StringComparison.Ordinal);
    }
}
