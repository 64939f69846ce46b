using System.Globalization;
using System.Text.Json;
using Disco.Actors.Engine.Tracing;

namespace Disco.Actors.Host.Output;

/// <summary>
/// A message trace as something to look at: Chrome/Perfetto trace-event JSON (one track per component, a slice per
/// handled message, a flow arrow from the handling that sent it) or CSV (one row per handled message).
/// </summary>
internal static class TraceExport
{
    // Perfetto draws a slice only with a duration: a handled message takes no simulated time, so give it 1 ps.
    private const double SliceUs = 1e-6;

    /// <summary>When each message was sent: the time of the sender's handling whose sequence numbers hold it; -1 if not in the trace.</summary>
    public static long[] SendTimes(MessageTraceFile trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        // Each component's handlings, in handling order: (its next sequence number before, time).
        var handlings = new Dictionary<int, List<(long Before, long TimePs)>>();
        foreach (var r in trace.Records)
        {
            if (!handlings.TryGetValue(r.Target, out var list))
            {
                handlings[r.Target] = list = [];
            }

            list.Add((r.TargetSequenceBefore, r.TimePs));
        }

        var sent = new long[trace.Records.Count];
        for (int i = 0; i < sent.Length; i++)
        {
            var r = trace.Records[i];
            sent[i] = -1;
            if (handlings.TryGetValue(r.Sender, out var list))
            {
                int at = UpperBound(list, r.Sequence) - 1;
                if (at >= 0)
                {
                    sent[i] = list[at].TimePs;
                }
            }
        }

        return sent;
    }

    public static void WriteCsv(MessageTraceFile trace, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(output);
        var sent = SendTimes(trace);
        output.WriteLine("time_ps,receiver,sender,sequence,kind,sent_ps");
        for (int i = 0; i < trace.Records.Count; i++)
        {
            var r = trace.Records[i];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.TimePs},{trace.ComponentName(r.Target)},{trace.ComponentName(r.Sender)},{r.Sequence},{trace.KindName(r.Kind)},{(sent[i] >= 0 ? sent[i].ToString(CultureInfo.InvariantCulture) : "")}"));
        }
    }

    public static void WritePerfetto(MessageTraceFile trace, Stream output)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var sent = SendTimes(trace);
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("displayTimeUnit", "ns");
        json.WriteStartArray("traceEvents");
        json.WriteStartObject();
        json.WriteString("ph", "M");
        json.WriteString("name", "process_name");
        json.WriteNumber("pid", 1);
        json.WriteStartObject("args");
        json.WriteString("name", "Disco.Actors (simulated time)");
        json.WriteEndObject();
        json.WriteEndObject();
        foreach (int id in trace.Records.SelectMany(r => new[] { r.Target, r.Sender }).Distinct().Order())
        {
            json.WriteStartObject();
            json.WriteString("ph", "M");
            json.WriteString("name", "thread_name");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", id);
            json.WriteStartObject("args");
            json.WriteString("name", trace.ComponentName(id));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        for (int i = 0; i < trace.Records.Count; i++)
        {
            var r = trace.Records[i];
            string kind = trace.KindName(r.Kind);
            double us = r.TimePs / 1e6;
            json.WriteStartObject();
            json.WriteString("ph", "X");
            json.WriteString("name", kind);
            json.WriteString("cat", "message");
            json.WriteNumber("pid", 1);
            json.WriteNumber("tid", r.Target);
            json.WriteNumber("ts", us);
            json.WriteNumber("dur", SliceUs);
            json.WriteStartObject("args");
            json.WriteString("from", trace.ComponentName(r.Sender));
            json.WriteNumber("sequence", r.Sequence);
            json.WriteNumber("time_ps", r.TimePs);
            json.WriteEndObject();
            json.WriteEndObject();
            if (sent[i] < 0)
            {
                continue;
            }

            // The arrow: from the sender's handling that sent it to this handling (ids are the record's index).
            Flow(json, "s", i, kind, r.Sender, sent[i] / 1e6);
            Flow(json, "f", i, kind, r.Target, us);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void Flow(Utf8JsonWriter json, string phase, int id, string kind, int tid, double us)
    {
        json.WriteStartObject();
        json.WriteString("ph", phase);
        json.WriteNumber("id", id);
        json.WriteString("name", kind);
        json.WriteString("cat", "flow");
        json.WriteNumber("pid", 1);
        json.WriteNumber("tid", tid);
        json.WriteNumber("ts", us);
        if (phase == "f")
        {
            json.WriteString("bp", "e");
        }

        json.WriteEndObject();
    }

    /// <summary>The first handling whose sequence number before it is above <paramref name="sequence"/>.</summary>
    private static int UpperBound(List<(long Before, long TimePs)> list, long sequence)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (list[mid].Before <= sequence)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
