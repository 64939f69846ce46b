using System.Text.Json;
using System.Text.Json.Nodes;
using Disco.Actors.Host.Tests.Cli;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Golden;

/// <summary>
/// Every model, short enough for CI, against the summary it gave when the run was recorded: digest, events and every
/// counter. A refactoring must keep these equal; a change of behaviour on purpose re-records them
/// (<c>DISCO_GOLDEN_UPDATE=1 dotnet test --filter GoldenRunTests</c>) and says which and why in its commit message.
/// </summary>
public class GoldenRunTests
{
    /// <summary>
    /// Fields that depend on the wall clock, the layout or where the repository lies, not on the execution, and the
    /// tie order (a setting, canonical in every recorded run: the digest holds it).
    /// </summary>
    private static readonly string[] Volatile = ["wall_s", "events_per_s", "engine", "partitions", "threads", "scenario", "config_hash", "tie_order", "reproducible"];

    private const string Pmake6 = "--set workload.pmake.processes=6 --set workload.pmake.instructions=300000";
    private const string Pmake200K = "--set workload.pmake.instructions=200000";

    /// <summary>Name, scenario, run arguments. Small workloads run to their end (exits, flushes, writes); the rest stop at --end.</summary>
    private static readonly (string Name, string Scenario, string Args)[] Runs =
    [
        ("phold", "phold.hocon", "--end 200us"),
        ("trace-bare", "trace-bare.hocon", "--set workload.trace=@scenarios/traces/ls-small.lackey"),
        ("engineering-stub", "engineering-bare.hocon", "--end 20ms"),
        ("raytrace-stub", "raytrace-bare.hocon", "--end 20ms"),
        ("pmake-bare", "pmake.hocon", Pmake6),
        ("pmake-disco", "pmake.hocon", Pmake6 + " --set monitor.enabled=true"),
        ("engineering-bare", "engineering.hocon", "--set workload.engineering.instructions=3000000"),
        ("engineering-disco", "engineering.hocon", "--set workload.engineering.instructions=3000000 --set monitor.enabled=true"),
        ("raytrace-bare", "raytrace.hocon", "--set workload.raytrace.instructions=3000000"),
        ("raytrace-disco", "raytrace.hocon", "--set workload.raytrace.instructions=3000000 --set monitor.enabled=true"),
        ("database-bare", "database.hocon", "--set workload.database.instructions=3000000"),
        ("database-disco", "database.hocon", "--set workload.database.instructions=3000000 --set monitor.enabled=true"),
        ("radix-irix", "radix-irix.hocon", "--end 25ms"),
        ("radix-irix-pinned", "radix-irix.hocon", "--end 25ms --set guest.smp.scheduling=pinned"), // the digest radix-irix had before the shared run queue
        ("radix-splashos", "radix-splashos.hocon", "--end 25ms"),
        ("scaling-bare", "scaling-pmake-bare.hocon", Pmake200K),
        ("scaling-bare-pinned", "scaling-pmake-bare.hocon", Pmake200K + " --set guest.smp.scheduling=pinned"), // scaling-bare's digest before the shared run queue
        ("scaling-1vm", "scaling-pmake-1vm.hocon", Pmake200K),
        ("scaling-2vm", "scaling-pmake-2vm.hocon", Pmake200K),
        ("scaling-4vm", "scaling-pmake-4vm.hocon", Pmake200K),
        ("scaling-8vm", "scaling-pmake-8vm.hocon", Pmake200K),
        ("scaling-8vm-nfs", "sharing-pmake-8vm-nfs.hocon", Pmake200K),
        ("scaling-8vm-hot-pages", "scaling-pmake-8vm.hocon", Pmake200K + " --set machine.hot-page.threshold=64"),
        ("scaling-bare-by-processor", "scaling-pmake-bare.hocon", Pmake200K + " --set guest.smp.placement=by-processor --set guest.memory-mb=128"),
    ];

    /// <summary>A few of the same runs on the actor engine: the same recorded summary.</summary>
    private static readonly (string Name, string Layout)[] ActorRuns =
    [
        ("pmake-disco", "--partitions 0 --threads 2"),
        ("pmake-bare", "--partitions 0 --threads 1"), // one actor per component: memory controllers on their own
        ("pmake-bare", "--partitions 8 --threads 2"), // by node: each memory controller with its directory and processor
        ("radix-splashos", "--partitions 3 --threads 2"),
        ("scaling-8vm-nfs", "--partitions 2 --threads 2"),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var run in Runs)
        {
            data.Add(run.Name);
        }

        return data;
    }

    public static TheoryData<string, string> ActorLayouts()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, layout) in ActorRuns)
        {
            data.Add(name, layout);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_sequential_run_gives_its_recorded_summary(string name) => Check(name, "--engine sequential", update: true);

    [Theory]
    [MemberData(nameof(ActorLayouts))]
    public void An_actor_engine_run_gives_the_recorded_sequential_summary(string name, string layout) => Check(name, "--engine actors " + layout, update: false);

    private static void Check(string name, string engine, bool update)
    {
        var (_, scenario, args) = Runs.Single(r => r.Name == name);
        string dir = Repo.TempDir("golden-" + name);
        string[] argv =
        [
            "run", Repo.Scenario(scenario), "--out", dir,
            .. args.Replace("@", Repo.Root + "/", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries),
            .. engine.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        ];
        var (exit, _, err) = CliRunner.Run(argv);
        Assert.True(exit == 0, $"{name}: {err}");
        string actual = Normalize(File.ReadAllText(Path.Combine(dir, "summary.json")));
        string expectedPath = Path.Combine(Repo.Root, "tests", "Actors.Host.Tests", "Golden", "expected", name + ".json");
        if (update && Environment.GetEnvironmentVariable("DISCO_GOLDEN_UPDATE") == "1")
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }

        Assert.True(File.Exists(expectedPath), $"{name}: no recorded summary at {expectedPath}");
        string expected = File.ReadAllText(expectedPath);
        if (expected != actual)
        {
            Assert.Fail($"{name} ({engine}): {FirstDifference(JsonNode.Parse(expected), JsonNode.Parse(actual), "")}");
        }
    }

    private static string Normalize(string summaryJson)
    {
        var root = JsonNode.Parse(summaryJson)!.AsObject();
        foreach (string key in Volatile)
        {
            root.Remove(key);
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The path and both values of the first field that differs, so a failure says what changed.</summary>
    private static string FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(kv => kv.Key).Union(a.Select(kv => kv.Key)))
                {
                    string d = FirstDifference(e[key], a[key], path + "." + key);
                    if (d.Length > 0)
                    {
                        return d;
                    }
                }

                return "";
            case (JsonArray e, JsonArray a):
                for (int i = 0; i < Math.Max(e.Count, a.Count); i++)
                {
                    string d = FirstDifference(i < e.Count ? e[i] : null, i < a.Count ? a[i] : null, $"{path}[{i}]");
                    if (d.Length > 0)
                    {
                        return d;
                    }
                }

                return "";
            default:
                string es = expected?.ToJsonString() ?? "(missing)", acts = actual?.ToJsonString() ?? "(missing)";
                return es == acts ? "" : $"{path}: recorded {es}, now {acts}";
        }
    }
}
