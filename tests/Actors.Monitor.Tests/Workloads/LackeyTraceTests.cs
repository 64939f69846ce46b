using System.Buffers;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.BareOs;
using Disco.Actors.Monitor.Workloads;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests.Workloads;

public class LackeyTraceTests
{
    private static string CommittedTrace => Path.Combine(Repo.Root, "scenarios", "traces", "ls-small.lackey");

    private static string Write(string text)
    {
        string path = Path.Combine(Repo.TempDir("trace"), "t.lackey");
        File.WriteAllText(path, text);
        return path;
    }

    private static List<Operation> ReadAll(LackeyTraceSource source)
    {
        var ops = new List<Operation>();
        while (source.TryNext(out var op))
        {
            ops.Add(op);
        }

        return ops;
    }

    private static (long I, long L, long S, long M) CountLines(string path)
    {
        long i = 0, l = 0, s = 0, m = 0;
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("I  ", StringComparison.Ordinal))
            {
                i++;
            }
            else if (line.StartsWith(" L ", StringComparison.Ordinal))
            {
                l++;
            }
            else if (line.StartsWith(" S ", StringComparison.Ordinal))
            {
                s++;
            }
            else if (line.StartsWith(" M ", StringComparison.Ordinal))
            {
                m++;
            }
        }

        return (i, l, s, m);
    }

    [Fact]
    public void Every_line_kind_becomes_its_operations()
    {
        string path = Write("==42== Lackey\n==42== \nI  0401ab70,3\n L 1fff000558,8\n S 04222cac,4\n M 0421e5b0,16\n--42-- note\n\nI  0401ab73,5");
        var ops = ReadAll(new LackeyTraceSource(path));
        Assert.Equal(
            [Operation.Instruction(0x0401ab70, 3), Operation.Load(0x1fff000558, 8), Operation.Store(0x04222cac, 4), Operation.Load(0x0421e5b0, 16), Operation.Store(0x0421e5b0, 16), Operation.Instruction(0x0401ab73, 5)],
            ops);
    }

    [Fact]
    public void Replaying_the_committed_trace_counts_exactly_its_lines()
    {
        var (i, l, s, m) = CountLines(CommittedTrace);
        Assert.True(i > 1000 && l > 100 && s > 100 && m > 10, "the committed trace should have every kind of line");
        var machine = new MachineParams { Nodes = 1, MemoryBytes = 64L << 20, Disks = 0 };
        var model = BareMachine.Build(machine, new BareOsParams(), [new BareProcessSpec(0, new LackeyTraceSource(CommittedTrace), [])], SimTime.Infinity, seed: 1);
        var result = SequentialKernel.Run(model);
        Assert.Equal(i, result.Counter("instructions"));
        Assert.Equal(l + m, result.Counter("loads"));
        Assert.Equal(s + m, result.Counter("stores"));
        Assert.True(result.Counter("cache_misses.local") > 0);
        Assert.Equal(0, result.Counter("cache_misses.remote"));
    }

    [Theory]
    [InlineData("I  0401ab70,3\n X 04222cac,4\n", 2, "expected 'I  addr,size'")]
    [InlineData("I  0401ab70,3\nI  0401ab73,5\n L 0422zcac,4\n", 3, "not a hex digit")]
    [InlineData(" S 04222cac\n", 1, "',size' is missing")]
    [InlineData(" L 04222cac,x\n", 1, "not a decimal digit")]
    [InlineData("==1== hello\n L ,4\n", 2, "the address is missing")]
    [InlineData(" M 04222cac,0\n", 1, "missing or zero")]
    [InlineData("I 0401ab70,3\n", 1, "expected")]
    public void A_malformed_line_is_bad_input_naming_its_file_and_line(string text, int line, string problem)
    {
        string path = Write(text);
        var source = new LackeyTraceSource(path);
        var ex = Assert.Throws<BadInputException>(() => ReadAll(source));
        Assert.Equal($"{path}:{line}", ex.Place);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_position_resumes_the_stream_where_it_was_even_inside_a_modify()
    {
        var all = ReadAll(new LackeyTraceSource(CommittedTrace));
        int mIndex = all.FindIndex(o => o.Kind == OperationKind.Load && all.IndexOf(o) + 1 < all.Count && all[all.IndexOf(o) + 1] == Operation.Store(o.Value, o.Count));
        foreach (int cut in new[] { 0, 1, 777, mIndex + 1, all.Count - 1, all.Count })
        {
            var first = new LackeyTraceSource(CommittedTrace);
            for (int k = 0; k < cut; k++)
            {
                Assert.True(first.TryNext(out _));
            }

            var buffer = new ArrayBufferWriter<byte>();
            var writer = new StateWriter(buffer);
            first.SaveTo(ref writer);
            writer.Flush();
            var resumed = new LackeyTraceSource(CommittedTrace);
            var reader = new StateReader(buffer.WrittenMemory);
            resumed.LoadFrom(ref reader);
            Assert.Equal(all.Skip(cut), ReadAll(resumed));
        }
    }

    [Fact]
    public void Lines_longer_than_the_buffer_and_files_without_a_final_newline_are_handled()
    {
        string path = Write(string.Concat(Enumerable.Repeat("I  0401ab70,3\n", 20_000)) + " L 10,8");
        var ops = ReadAll(new LackeyTraceSource(path));
        Assert.Equal(20_001, ops.Count);
        Assert.Equal(Operation.Load(0x10, 8), ops[^1]);

        string longLine = Write("I  " + new string('0', 70_000) + "1,3\n");
        Assert.Throws<BadInputException>(() => ReadAll(new LackeyTraceSource(longLine)));
    }
}
