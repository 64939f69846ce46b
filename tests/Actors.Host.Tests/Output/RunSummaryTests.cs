using System.Text.Json.Nodes;
using Disco.Actors.Engine.Run;
using Disco.Actors.Host.Output;

namespace Disco.Actors.Host.Tests.Output;

/// <summary>The <c>services</c> and <c>vms</c> sections of summary.json, from the counters the model emits.</summary>
public class RunSummaryTests
{
    private static ComponentReport Component(int id, string kind, params (string Name, long Value)[] counters) =>
        new(id, kind, id, (ulong)id, 1, counters.ToDictionary(c => c.Name, c => c.Value));

    private static JsonObject Summary(params ComponentReport[] components) =>
        RunSummary.Build(new RunResult("sequential", 1_000, 0.5, 0, 1, components), "monitor", "test", 1, "hash");

    private static JsonObject TwoVcpusTwoVms() => Summary(
        Component(0, "vcpu", ("service.read.count", 3), ("service.read.time_ps", 300), ("service.open.count", 1), ("service.open.time_ps", 900),
            ("vm.1.cpu_time_ps.user", 10), ("vm.1.vcpus", 1)),
        Component(1, "vcpu", ("service.read.count", 2), ("service.read.time_ps", 600), ("service.fork.count", 1), ("service.fork.time_ps", 900),
            ("vm.1.cpu_time_ps.user", 5), ("vm.1.vcpus", 1), ("vm.0.vcpus", 1)),
        Component(2, "vm", ("vm.0.memory_pages.guest", 40), ("vm.0.memory_pages.machine", 30), ("vm.0.page_faults", 7), ("vm.1.memory_pages.guest", 8)));

    [Fact]
    public void Services_sum_over_components_costliest_first_then_by_name()
    {
        var services = TwoVcpusTwoVms()["services"]!.AsObject();
        Assert.Equal(["fork", "open", "read"], services.Select(s => s.Key));
        Assert.Equal(5, (long)services["read"]!["count"]!);
        Assert.Equal(900, (long)services["read"]!["time_ps"]!);
        Assert.Equal(1, (long)services["fork"]!["count"]!);
    }

    [Fact]
    public void Vms_are_ordered_by_id_with_dotted_keys_nested_and_summed()
    {
        var vms = TwoVcpusTwoVms()["vms"]!.AsArray();
        Assert.Equal(2, vms.Count);
        var vm0 = vms[0]!.AsObject();
        Assert.Equal(0, (int)vm0["id"]!);
        Assert.Equal(1, (long)vm0["vcpus"]!);
        Assert.Equal(40, (long)vm0["memory_pages"]!["guest"]!);
        Assert.Equal(30, (long)vm0["memory_pages"]!["machine"]!);
        Assert.Equal(7, (long)vm0["page_faults"]!);
        var vm1 = vms[1]!.AsObject();
        Assert.Equal(1, (int)vm1["id"]!);
        Assert.Equal(2, (long)vm1["vcpus"]!);
        Assert.Equal(15, (long)vm1["cpu_time_ps"]!["user"]!);
        Assert.Equal(8, (long)vm1["memory_pages"]!["guest"]!);
    }

    [Fact]
    public void A_run_without_vms_or_services_has_empty_sections_and_keeps_every_key()
    {
        var summary = Summary(Component(0, "lp", ("phold.sent", 4)));
        Assert.Empty(summary["services"]!.AsObject());
        Assert.Empty(summary["vms"]!.AsArray());
        foreach (string key in new[] { "digest", "engine", "events", "sim_time_ps", "cpu_time_ps", "tlb_misses", "l2tlb_hits", "memory_pages", "counters" })
        {
            Assert.True(summary.ContainsKey(key), key);
        }
    }

    [Fact]
    public void A_vm_counter_without_an_integer_id_is_not_a_vm()
    {
        var summary = Summary(Component(0, "x", ("vm.switches", 4), ("vm.a.vcpus", 1)));
        Assert.Empty(summary["vms"]!.AsArray());
    }
}
