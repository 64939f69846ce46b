using System.Buffers;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Hardware.Tests.Machine;

public class CheckpointRoundTripTests
{
    private static byte[] Save(Component c)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new StateWriter(buffer);
        c.Save(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Load(Component c, byte[] bytes, MessageCatalog catalog)
    {
        var reader = new StateReader(bytes, catalog);
        c.Load(ref reader);
        Assert.True(reader.End, $"{c}: LoadState left {bytes.Length - reader.Consumed} bytes unread");
    }

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
            var bytes = Save(running.Components[i]);
            Load(fresh.Components[i], bytes, fresh.Messages);
            Assert.Equal(bytes, Save(fresh.Components[i]));
            Assert.Equal(running.Components[i].CurrentDigest, fresh.Components[i].CurrentDigest);
            kinds.Add(running.Components[i].Kind);
        }

        Assert.Superset(new HashSet<string> { "hw.processor", "hw.directory", "bare.memory" }, kinds);
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
        // Heavy disk use: several requests wait in the queue when the run stops.
        var model = SmallModels.Engineering(end: SimTime.FromUs(3000));
        SequentialKernel.Run(model);
        var disks = model.Components.OfType<Hardware.Disk.DiskComponent>().ToArray();
        Assert.Contains(disks, d => d.QueueLength > 0);
        var fresh = SmallModels.Engineering(end: SimTime.FromUs(3000)).Components.OfType<Hardware.Disk.DiskComponent>().ToArray();
        for (int k = 0; k < disks.Length; k++)
        {
            var bytes = Save(disks[k]);
            Load(fresh[k], bytes, model.Messages);
            Assert.Equal(disks[k].QueueLength, fresh[k].QueueLength);
            Assert.Equal(bytes, Save(fresh[k]));
            DeclaredFields.AssertEqual(disks[k], fresh[k]);
        }
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_with_a_clear_error()
    {
        var model = SmallModels.Engineering(end: SimTime.FromUs(400));
        SequentialKernel.Run(model);
        var fresh = SmallModels.Engineering(end: SimTime.FromUs(400));
        foreach (int i in new[] { 0, 4, model.Components.Count - 1 })
        {
            var bytes = Save(model.Components[i]);
            Assert.Throws<CorruptStateException>(() => Load(fresh.Components[i], bytes[..(bytes.Length / 2)], fresh.Messages));
        }
    }
}
