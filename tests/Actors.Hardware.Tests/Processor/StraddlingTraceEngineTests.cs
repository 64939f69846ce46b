using System.Globalization;
using System.Text;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Processor;

/// <summary>A trace whose every access straddles lines, on every engine and resumed from its checkpoints.</summary>
public class StraddlingTraceEngineTests
{
    private static readonly Lazy<string> TracePath = new(WriteTrace);

    /// <summary>Each instruction runs over a 64-byte line end, each load and modify over a 128-byte L2 line end.</summary>
    private static string WriteTrace()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            long pc = 0x400000 + (i * 128L) + 61;
            long load = 0x800000 + (i * 256L) + 124;
            long modify = 0xa00000 + (i * 256L) + 120;
            text.Append(CultureInfo.InvariantCulture, $"I  {pc:x8},5\n L {load:x8},8\n M {modify:x8},16\n");
        }

        string path = Path.Combine(Repo.TempDir("straddle-trace"), "straddle.lackey");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static Engine.Model.SimulationModel Build() => SmallModels.Trace(path: TracePath.Value);

    [Fact]
    public void A_straddling_trace_gives_one_digest_on_every_engine()
    {
        var runs = EngineMatrix.RunAll(Build, partitions: [0, 1], threads: [2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        var r = runs[0].Result;
        Assert.Equal(300, r.Counter("instructions"));
        Assert.Equal(600, r.Counter("loads"));
        Assert.True(r.Counter("hw.l1i.misses") >= 600, "both lines of every instruction");
        Assert.True(r.Counter("hw.l1d.misses") >= 1200, "both lines of every load and modify");
    }

    [Fact]
    public async Task Resuming_while_the_second_line_of_an_access_is_out_gives_the_uninterrupted_digest()
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        var saved = new List<CheckpointCompleted>();
        var control = new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(20), Save = h.Store.SaveEpochAsync, Saved = saved.Add } };
        Assert.Equal(reference.Digest, h.Run(Build(), partitions: 1, control).Digest);

        int[] layouts = [-1, 0, 1];
        int tails = 0, resumed = 0;
        foreach (var epoch in saved)
        {
            if (resumed == 6)
            {
                break; // the first epoch, then epochs that caught a tail
            }

            var model = Build();
            (await h.Store.LoadEpochAsync(epoch, model)).LoadInto(model);
            var exec = model.Components.OfType<ProcessorComponent>().Single().Supervisor.Current;
            if (exec is not { HasPending: true, Pending.Kind: OperationKind.LineTail } && resumed > 0)
            {
                continue;
            }

            tails += exec is { HasPending: true, Pending.Kind: OperationKind.LineTail } ? 1 : 0;
            var run = h.Resume(Build, epoch, layouts[resumed++ % layouts.Length]);
            Assert.True(reference.Digest == run.Digest, $"epoch {epoch.Epoch}: {run.DigestHex} vs {reference.DigestHex}");
        }

        Assert.True(tails > 0, $"no epoch of {saved.Count} caught a processor waiting on a second line");
    }
}
