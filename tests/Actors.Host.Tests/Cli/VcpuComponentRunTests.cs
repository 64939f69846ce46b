using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>VCPUs and VM managers as components, through the real command line: their counters and their digests.</summary>
public class VcpuComponentRunTests
{
    // Three VMs on two processors: VMs 0 and 2 share processor 0, so VCPU states travel between it and their components.
    private static readonly string[] ThreeVmsOnTwoNodes =
    [
        Repo.Scenario("pmake.hocon"), "--set", "monitor.enabled=true", "--set", "monitor.vms=3", "--set", "machine.nodes=2",
        "--set", "monitor.vcpu-time-slice=200us", "--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=100000", "--set", "workload.pmake.warm-cache=false",
    ];

    private static JsonObject Run(params string[] extra)
    {
        string dir = Repo.TempDir("vcpus");
        var (exit, _, err) = CliRunner.Run(["run", .. ThreeVmsOnTwoNodes, "--out", dir, .. extra]);
        Assert.True(exit == 0, err);
        return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
    }

    private static long Get(JsonNode? node, string key) => node?[key]?.GetValue<long>() ?? 0;

    [Fact]
    public void Summary_counters_have_the_vcpu_and_vm_manager_kinds_with_their_own_statistics()
    {
        var s = Run("--engine", "sequential");
        var counters = s["counters"]!;
        var vcpus = counters["monitor.vcpu"]!;
        var vms = counters["monitor.vm"]!;
        Assert.Equal(3, Get(vcpus, "components"));
        Assert.Equal(3, Get(vms, "components"));
        Assert.True(Get(vcpus, "monitor.traps") > 0);
        Assert.True(Get(vcpus, "monitor.vcpu.dispatches") > 0, "VMs 0 and 2 took turns on processor 0");
        Assert.True(Get(vcpus, "monitor.vcpu.parks") > 0);
        Assert.Equal(3, Get(vms, "monitor.vm.vcpus"));
        Assert.True(Get(vms, "monitor.vm.guest_pages_given") > 0);
        Assert.True(Get(vms, "monitor.vm.interrupts_routed") > 0, "disk completions go through the VM managers");
        // An interrupt forwarded to a processor the VCPU just left comes back and is queued: counted twice.
        Assert.InRange(Get(vcpus, "monitor.vcpu.interrupts_forwarded") + Get(vcpus, "monitor.vcpu.interrupts_queued"), Get(vms, "monitor.vm.interrupts_routed"), Get(vms, "monitor.vm.interrupts_routed") + Get(vcpus, "monitor.vcpu.interrupts_forwarded"));

        // The VCPUs' figures are no longer the processors', and the top-level keys still add them up.
        var processors = counters["hw.processor"]!;
        Assert.Equal(0, Get(processors, "monitor.traps"));
        Assert.Equal(0, Get(processors, "l2tlb_hits"));
        Assert.True(Get(processors, "monitor.vcpu_switches") > 0);
        Assert.Equal(Get(vcpus, "l2tlb_hits"), Get(s, "l2tlb_hits"));
        Assert.Equal(Get(vcpus, "page_faults"), Get(s, "page_faults"));
        var vmList = s["vms"]!.AsArray();
        Assert.Equal(3, vmList.Count);
        Assert.All(vmList, vm => Assert.Equal(1, Get(vm, "vcpus")));
        Assert.All(vmList, vm => Assert.True(vm!["cpu_time_ps"]!["user"]!.GetValue<long>() > 0));
    }

    [Fact]
    public void Three_VMs_on_two_processors_give_one_digest_sequential_one_actor_per_component_and_by_node()
    {
        string sequential = Run("--engine", "sequential")["digest"]!.GetValue<string>();
        Assert.Equal(sequential, Run("--engine", "actors", "--partitions", "0", "--threads", "2")["digest"]!.GetValue<string>());
        Assert.Equal(sequential, Run("--engine", "actors", "--partitions", "2", "--threads", "1")["digest"]!.GetValue<string>());
        Assert.Equal(sequential, Run("--engine", "actors", "--partitions", "2", "--threads", "2")["digest"]!.GetValue<string>());
    }

    [Fact]
    public void A_negative_shootdown_send_cost_is_refused_naming_its_key()
    {
        var (exit, stdout, err) = CliRunner.Run(["run", .. ThreeVmsOnTwoNodes, "--set", "monitor.shootdown-send=-1ns", "--out", Repo.TempDir("bad-shootdown-send")]);
        Assert.Equal(2, exit);
        Assert.Contains("monitor.shootdown-send", Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Theory]
    [InlineData("0us")]
    [InlineData("-1us")]
    public void An_ipi_latency_that_is_not_positive_is_refused_naming_its_key(string value)
    {
        var (exit, stdout, err) = CliRunner.Run(["run", .. ThreeVmsOnTwoNodes, "--set", $"monitor.ipi-latency={value}", "--out", Repo.TempDir("bad-ipi")]);
        Assert.Equal(2, exit);
        Assert.Contains("monitor.ipi-latency", Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }
}
