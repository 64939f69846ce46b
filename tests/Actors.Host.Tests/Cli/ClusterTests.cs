using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>Real processes on loopback: a conductor and workers, compared with the single-process run.</summary>
public class ClusterTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Digest(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["digest"]!.GetValue<string>();

    private static string Reference(string[] scenarioArgs)
    {
        string dir = Repo.TempDir("reference");
        Assert.Equal(0, CliRunner.Run(["run", .. scenarioArgs, "--out", dir, "--engine", "sequential"]).Exit);
        return Digest(dir);
    }

    private static DiscoProcess Worker(int port, Dictionary<string, string>? env = null) =>
        DiscoProcess.Start(env, "cluster", "worker", "--seed", $"127.0.0.1:{port}", "--threads", "1");

    [Fact]
    public void A_conductor_and_two_workers_give_the_single_process_digest()
    {
        string[] phold = [Repo.Scenario("phold.hocon"), "--set", "phold.lps=96", "--set", "phold.end=60", "--set", "phold.population=8"];
        string reference = Reference(phold);
        int port = FreePort();
        string dir = Repo.TempDir("cluster");
        using var conductor = DiscoProcess.Start(["cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "2", "run", .. phold, "--out", dir, "--partitions", "4", "--threads", "1"]);
        using var w1 = Worker(port);
        using var w2 = Worker(port);
        Assert.True(conductor.WaitForExit(Long) == 0, conductor.Err);
        Assert.Equal(reference, Digest(dir));
        Assert.Equal(0, w1.WaitForExit(Long));
        Assert.Equal(0, w2.WaitForExit(Long));
    }

    [Fact]
    public void A_machine_scenario_on_two_workers_gives_the_single_process_digest()
    {
        // Partitions are FLASH nodes here: each worker hosts whole nodes (processor, directory, disks).
        string[] machine = [Repo.Scenario("engineering-bare.hocon"), "--end", "1ms"];
        string reference = Reference(machine);
        int port = FreePort();
        string dir = Repo.TempDir("cluster-machine");
        using var conductor = DiscoProcess.Start(["cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "2", "run", .. machine, "--out", dir, "--partitions", "8", "--threads", "1"]);
        using var w1 = Worker(port);
        using var w2 = Worker(port);
        Assert.True(conductor.WaitForExit(Long) == 0, conductor.Err);
        Assert.Equal(reference, Digest(dir));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.True(summary["instructions"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void Eight_VMs_under_the_monitor_on_two_workers_give_the_single_process_digest()
    {
        // Monitor messages (pmap fills, disk-cache reads) cross between processes: the page manager on one worker,
        // half the VCPUs on the other.
        string[] vms = [Repo.Scenario("sharing-pmake-8vm.hocon"), "--set", "workload.pmake.processes=3", "--set", "workload.pmake.instructions=30000"];
        string reference = Reference(vms);
        int port = FreePort();
        string dir = Repo.TempDir("cluster-vms");
        using var conductor = DiscoProcess.Start(["cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "2", "run", .. vms, "--out", dir, "--partitions", "8", "--threads", "1"]);
        using var w1 = Worker(port);
        using var w2 = Worker(port);
        Assert.True(conductor.WaitForExit(Long) == 0, conductor.Err);
        Assert.Equal(reference, Digest(dir));
    }

    [Theory]
    [InlineData("radix-irix.hocon")]
    [InlineData("radix-splashos.hocon")]
    public void Radix_on_two_workers_gives_the_single_process_digest(string scenario)
    {
        // Lock requests and grants (IRIX) and the library OS's pmap fills cross between processes.
        string[] radix = [Repo.Scenario(scenario), "--set", "workload.radix.instructions=30000", "--set", "workload.radix.working-set-kb=64", "--set", "workload.radix.shared-kb=256"];
        string reference = Reference(radix);
        int port = FreePort();
        string dir = Repo.TempDir("cluster-radix");
        using var conductor = DiscoProcess.Start(["cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "2", "run", .. radix, "--out", dir, "--partitions", "8", "--threads", "1"]);
        using var w1 = Worker(port);
        using var w2 = Worker(port);
        Assert.True(conductor.WaitForExit(Long) == 0, conductor.Err);
        Assert.Equal(reference, Digest(dir));
    }

    [SkippableFact]
    public void A_killed_worker_stops_the_run_naming_it_and_the_run_resumes_as_a_cluster_or_in_one_process()
    {
        string pg = Postgres.Require();
        string[] phold = [Repo.Scenario("phold.hocon"), "--set", "phold.lps=64", "--set", "phold.end=1500", "--set", "phold.population=8"];
        string reference = Reference(phold);
        int port = FreePort();
        string p = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string dir = Repo.TempDir("lost");
        using (var conductor = DiscoProcess.Start(["cluster", "conductor", "--port", p, "--workers", "2", "run", .. phold, "--out", dir, "--partitions", "4", "--threads", "1", "--checkpoint-every", "100us", "--db", pg]))
        using (var w1 = Worker(port))
        using (var w2 = Worker(port))
        {
            Assert.True(conductor.WaitUntil(() => conductor.Err.Contains("checkpoint", StringComparison.Ordinal) || CompletedEpochs(dir, pg) >= 2, Long), conductor.Err);
            w2.KillHard();
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(1, conductor.WaitForExit(Long));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
            Assert.Contains("lost worker akka.tcp://disco@127.0.0.1:", conductor.Err, StringComparison.Ordinal);
            w1.WaitForExit(Long);
        }

        // In one process:
        var one = CliRunner.Run("resume", dir, "--db", pg, "--partitions", "2");
        Assert.True(one.Exit == 0, one.Err);
        Assert.Equal(reference, Digest(dir));

        // And as a cluster of another size, from the first epoch:
        int port2 = FreePort();
        using var again = DiscoProcess.Start("cluster", "conductor", "--port", port2.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "1", "resume", dir, "--db", pg, "--epoch", "1");
        using var w3 = Worker(port2);
        Assert.True(again.WaitForExit(Long) == 0, again.Err);
        Assert.Equal(reference, Digest(dir));
    }

    [SkippableFact]
    public void With_auto_resume_a_lost_worker_is_replaced_and_the_run_ends_with_the_right_digest()
    {
        string pg = Postgres.Require();
        string[] phold = [Repo.Scenario("phold.hocon"), "--set", "phold.lps=64", "--set", "phold.end=1500", "--set", "phold.population=8"];
        string reference = Reference(phold);
        int port = FreePort();
        string dir = Repo.TempDir("auto");
        using var conductor = DiscoProcess.Start(["cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "2", "--auto-resume", "run", .. phold, "--out", dir, "--partitions", "4", "--threads", "1", "--checkpoint-every", "100us", "--db", pg]);
        using var w1 = Worker(port);
        using var w2 = Worker(port);
        Assert.True(conductor.WaitUntil(() => CompletedEpochs(dir, pg) >= 2, Long), conductor.Err);
        w2.KillHard();
        Assert.True(conductor.WaitUntil(() => conductor.Err.Contains("resuming from epoch", StringComparison.Ordinal), Long), conductor.Err);
        using var w3 = Worker(port);
        Assert.True(conductor.WaitForExit(Long) == 0, conductor.Err);
        Assert.Equal(reference, Digest(dir));
    }

    [Fact]
    public void A_worker_whose_seed_is_unreachable_is_refused_with_exit_code_2()
    {
        using var w = DiscoProcess.Start(new Dictionary<string, string> { ["DISCO_JOIN_TIMEOUT"] = "3" }, "cluster", "worker", "--seed", $"127.0.0.1:{FreePort()}");
        Assert.Equal(2, w.WaitForExit(Long));
        Assert.Contains("--seed: cannot join the cluster at 127.0.0.1:", w.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_in_use_is_refused_with_exit_code_2()
    {
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;
        var r = CliRunner.Run("cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "1", "run", Repo.Scenario("phold.hocon"), "--out", Repo.TempDir("busy"));
        Assert.Equal(2, r.Exit);
        Assert.Contains($"--port: cannot listen on 127.0.0.1:{port}", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_of_another_model_version_is_refused_with_exit_code_2()
    {
        int port = FreePort();
        using var conductor = DiscoProcess.Start("cluster", "conductor", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", "1", "run", Repo.Scenario("phold.hocon"), "--set", "phold.lps=8", "--set", "phold.end=5", "--out", Repo.TempDir("version"));
        using var w = Worker(port, new Dictionary<string, string> { ["DISCO_MODEL_VERSION"] = "disco-model-0" });
        Assert.Equal(2, conductor.WaitForExit(Long));
        Assert.Contains("runs model disco-model-0", conductor.Err, StringComparison.Ordinal);
        Assert.Equal(2, w.WaitForExit(Long));
    }

    private static int CompletedEpochs(string dir, string pg)
    {
        try
        {
            using var c = new Npgsql.NpgsqlConnection(pg);
            c.Open();
            string? runId = File.Exists(Path.Combine(dir, "run.json")) ? JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!["run_id"]!.GetValue<string>() : null;
            if (runId is null)
            {
                return 0;
            }

            using var q = new Npgsql.NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id = @p AND manifest LIKE 'checkpoint-completed.%'", c);
            q.Parameters.AddWithValue("p", "disco-run-" + runId);
            return Convert.ToInt32(q.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Npgsql.NpgsqlException)
        {
            return 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
