using System.Text.Json;
using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary><c>--trace-messages</c> and <c>disco trace export</c>: what the trace holds, on every layout, and what export makes of it.</summary>
public class TraceCommandTests
{
    private static readonly string[] Small = ["--set", "phold.lps=16", "--set", "phold.end=30", "--seed", "3"];

    private static (string Dir, string Trace) Traced(params string[] args)
    {
        string dir = Repo.TempDir("trace");
        string trace = Path.Combine(Repo.TempDir("trace-file"), "run.trace");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--trace-messages", trace, .. Small, .. args]);
        Assert.True(r.Exit == 0, r.Err);
        return (dir, trace);
    }

    private static long Events(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["events"]!.GetValue<long>();

    private static string[] Csv(string trace)
    {
        var r = CliRunner.Run("trace", "export", trace, "--format", "csv");
        Assert.True(r.Exit == 0, r.Err);
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void The_trace_holds_every_handled_message_and_is_the_same_on_every_layout()
    {
        var (dir, trace) = Traced("--engine", "sequential");
        var csv = Csv(trace);
        Assert.Equal("time_ps,receiver,sender,sequence,kind,sent_ps", csv[0]);
        Assert.Equal(Events(dir), csv.Length - 1);
        Assert.Equal(csv, Csv(Traced("--partitions", "0", "--threads", "2").Trace));
        Assert.Equal(csv, Csv(Traced("--partitions", "2", "--threads", "2").Trace));
    }

    [Fact]
    public void A_message_is_sent_by_the_handling_that_precedes_it_and_arrives_a_lookahead_later_or_more()
    {
        var rows = Csv(Traced("--engine", "sequential").Trace).Skip(1).Select(l => l.Split(',')).ToList();
        var withSend = rows.Where(f => f[5].Length > 0).ToList();
        Assert.True(withSend.Count > rows.Count * 9 / 10, $"{withSend.Count} of {rows.Count} messages have a known send time");
        // PHOLD's lookahead is 0.1 (100 ns): no message arrives sooner after it was sent.
        Assert.All(withSend, f => Assert.True(long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(f[5], System.Globalization.CultureInfo.InvariantCulture) >= 100_000, string.Join(",", f)));
    }

    [Fact]
    public void Filters_keep_the_chosen_receivers_and_times()
    {
        var all = Csv(Traced("--engine", "sequential").Trace).Skip(1).ToList();
        var filtered = Csv(Traced("--engine", "sequential", "--trace-components", "phold.lp#3,phold.lp#5", "--trace-from", "10us", "--trace-to", "20us").Trace).Skip(1).ToList();
        var expected = all.Where(l =>
        {
            var f = l.Split(',');
            long t = long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture);
            return f[1] is "phold.lp#3" or "phold.lp#5" && t >= 10_000_000 && t < 20_000_000;
        }).Select(l => l[..l.LastIndexOf(',')]).ToList();
        Assert.NotEmpty(expected);
        // The send time is only known where the sender's handlings are in the trace, so compare without it.
        Assert.Equal(expected, filtered.Select(l => l[..l.LastIndexOf(',')]).ToList());
    }

    [Fact]
    public void The_perfetto_export_is_trace_event_json_with_a_track_per_component_and_paired_flows()
    {
        var (dir, trace) = Traced("--engine", "sequential");
        string json = Path.Combine(Repo.TempDir("perfetto"), "trace.json");
        var r = CliRunner.Run("trace", "export", trace, "--format", "perfetto", "--out", json);
        Assert.True(r.Exit == 0, r.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        string Ph(JsonElement e) => e.GetProperty("ph").GetString()!;
        Assert.Equal(Events(dir), events.Count(e => Ph(e) == "X"));
        Assert.Equal(16, events.Count(e => Ph(e) == "M" && e.GetProperty("name").GetString() == "thread_name"));
        var starts = events.Where(e => Ph(e) == "s").ToDictionary(e => e.GetProperty("id").GetInt32());
        var ends = events.Where(e => Ph(e) == "f").ToList();
        Assert.NotEmpty(ends);
        Assert.Equal(starts.Count, ends.Count);
        Assert.All(ends, f => Assert.True(starts[f.GetProperty("id").GetInt32()].GetProperty("ts").GetDouble() <= f.GetProperty("ts").GetDouble()));
        Assert.All(events.Where(e => Ph(e) == "X"), e => Assert.Equal("PholdEvent", e.GetProperty("name").GetString()));
    }

    [Fact]
    public void The_png_export_is_a_picture()
    {
        var (_, trace) = Traced("--engine", "sequential");
        string png = Path.Combine(Repo.TempDir("trace-png"), "trace.png");
        var r = CliRunner.Run("trace", "export", trace, "--format", "png", "--out", png, "--limit", "50");
        Assert.True(r.Exit == 0, r.Err);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }));
        Assert.Equal(1200, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(2, CliRunner.Run("trace", "export", trace, "--format", "png").Exit);
    }

    [Fact]
    public void Bad_trace_input_is_one_line_and_exit_2()
    {
        string notTrace = Path.Combine(Repo.TempDir("not-trace"), "x.trace");
        File.WriteAllText(notTrace, "hello");
        var r = CliRunner.Run("trace", "export", notTrace, "--format", "csv");
        Assert.Equal(2, r.Exit);
        Assert.Contains("not a Disco.Actors message trace", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));

        var (_, trace) = Traced("--engine", "sequential");
        r = CliRunner.Run("trace", "export", trace, "--format", "svg");
        Assert.Equal(2, r.Exit);
        Assert.Contains("--format", r.Err, StringComparison.Ordinal);

        r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", Repo.TempDir("trace-bad"), "--trace-messages", Path.Combine(Repo.TempDir("t"), "x"), "--trace-components", "hw.directory", .. Small]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("no component kind 'hw.directory'", r.Err, StringComparison.Ordinal);

        r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", Repo.TempDir("trace-bad"), "--trace-messages", Path.Combine(Repo.TempDir("t"), "x"), "--trace-components", "phold.lp#99", .. Small]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("#0 to #15", r.Err, StringComparison.Ordinal);
    }
}
