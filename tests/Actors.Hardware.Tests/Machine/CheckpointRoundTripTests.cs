using System.Buffers;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Machine;

public class CheckpointRoundTripTests
{
    /// <summary>Runs to the middle of the workload, then saves every component, loads it into a fresh model and saves again.</summary>
    private static void AssertEveryComponentRoundTrips(Func<SimTime, SimulationModel> build, SimTime middle)
    {
        var running = build(middle);
        var result = SequentialKernel.Run(running);
        Assert.True(result.Events > 50, "the run should be well under way");
        var fresh = build(middle);
        var kinds = new HashSet<string>();
        for (int i = 0; i < running.Components.Count; i++)
        {
            var bytes = ComponentState.Save(running.Components[i]);
            ComponentState.Load(fresh.Components[i], bytes, fresh.Messages);
            Assert.Equal(bytes, ComponentState.Save(fresh.Components[i]));
            Assert.Equal(running.Components[i].CurrentDigest, fresh.Components[i].CurrentDigest);
            kinds.Add(running.Components[i].Kind);
        }

        Assert.Superset(new HashSet<string> { "hw.processor", "hw.directory", "hw.memory-controller", "bare.memory" }, kinds);
    }

    [Fact]
    public void Every_component_of_a_busy_machine_saves_loads_and_saves_the_same_bytes()
    {
        AssertEveryComponentRoundTrips(end => SmallModels.Engineering(end: end), SimTime.FromUs(400));
        AssertEveryComponentRoundTrips(end => SmallModels.Engineering(end: end), SimTime.FromUs(3000));
    }

    [Fact]
    public void A_trace_replay_saves_its_file_position()
    {
        AssertEveryComponentRoundTrips(end => SmallModels.Trace(end), SimTime.FromUs(100));
    }

    [Fact]
    public void A_disk_with_a_queue_saves_and_loads_it()
    {
        // Heavy disk use: pages already moved and several requests waiting in the queue when the run stops.
        var model = SmallModels.Engineering(end: SimTime.FromUs(60000));
        SequentialKernel.Run(model);
        var disks = model.Components.OfType<Hardware.Disk.DiskComponent>().ToArray();
        Assert.Contains(disks, d => d.QueueLength > 0);
        var fresh = SmallModels.Engineering(end: SimTime.FromUs(60000)).Components.OfType<Hardware.Disk.DiskComponent>().ToArray();
        for (int k = 0; k < disks.Length; k++)
        {
            var bytes = ComponentState.Save(disks[k]);
            ComponentState.Load(fresh[k], bytes, model.Messages);
            Assert.Equal(disks[k].QueueLength, fresh[k].QueueLength);
            Assert.Equal(bytes, ComponentState.Save(fresh[k]));
            Assert.Empty(StateCoverage.Compare(disks[k], fresh[k]));
        }
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_with_a_clear_error()
    {
        var model = SmallModels.Engineering(end: SimTime.FromUs(60000));
        SequentialKernel.Run(model);
        var fresh = SmallModels.Engineering(end: SimTime.FromUs(60000));
        foreach (int i in new[] { 0, 4, model.Components.Count - 1 })
        {
            var bytes = ComponentState.Save(model.Components[i]);
            Assert.Throws<CorruptStateException>(() => ComponentState.Load(fresh.Components[i], bytes[..(bytes.Length / 2)], fresh.Messages));
        }
    }
}
