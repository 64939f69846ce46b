using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Testing;
using Microsoft.Data.Sqlite;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>
/// A stored epoch whose bytes changed is found before it is decoded: by its chunk's checksum or, for damage in the
/// record's framing, by the record failing to read. Never a resume to a different digest.
/// </summary>
public class CheckpointDamageTests
{
    private static readonly string[] Phold = ["--set", "phold.lps=64", "--set", "phold.population=8", "--set", "phold.end=200"];

    private static string CheckpointedRun()
    {
        string dir = Repo.TempDir("damage");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "40us", "--engine", "sequential", .. Phold]);
        Assert.True(r.Exit == 0, r.Err);
        return dir;
    }

    private static string RunId(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!["run_id"]!.GetValue<string>();

    private static SqliteConnection Open(string dir)
    {
        var c = new SqliteConnection($"Data Source={Path.Combine(dir, "checkpoints.db")};Pooling=False");
        c.Open();
        return c;
    }

    private static byte[] ReadChunk(SqliteConnection c, string runId, long epoch)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT snapshot FROM snapshot WHERE persistence_id = $id AND sequence_number = $epoch";
        cmd.Parameters.AddWithValue("$id", $"disco-run-{runId}-chunk-0");
        cmd.Parameters.AddWithValue("$epoch", epoch);
        return (byte[])cmd.ExecuteScalar()!;
    }

    private static void WriteChunk(SqliteConnection c, string runId, long epoch, byte[] bytes)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE snapshot SET snapshot = $bytes WHERE persistence_id = $id AND sequence_number = $epoch";
        cmd.Parameters.AddWithValue("$bytes", bytes);
        cmd.Parameters.AddWithValue("$id", $"disco-run-{runId}-chunk-0");
        cmd.Parameters.AddWithValue("$epoch", epoch);
        Assert.Equal(1, cmd.ExecuteNonQuery());
    }

    private static string Fingerprint(string dir) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "checkpoints.db"))));

    [Fact]
    public async Task A_flipped_byte_anywhere_in_a_stored_chunk_is_detected()
    {
        string dir = CheckpointedRun();
        string runId = RunId(dir);
        await using var harness = CheckpointHarness.Create(CheckpointDb.Sqlite(Path.Combine(dir, "checkpoints.db")), runId);
        var journal = await harness.Store.ReadJournalAsync();
        var last = journal.Completed[^1];
        Assert.Null(await harness.Store.VerifyEpochAsync(last));

        byte[] original;
        using (var c = Open(dir))
        {
            original = ReadChunk(c, runId, last.Epoch);
        }

        // Every byte of the first and last 32 (framing, epoch, index, checksum) and 64 spread over the payload.
        var offsets = Enumerable.Range(0, 32).Concat(Enumerable.Range(original.Length - 32, 32))
            .Concat(Enumerable.Range(0, 64).Select(i => 32 + (int)((long)i * (original.Length - 64) / 64)))
            .Distinct().Order().ToList();
        var missed = new List<int>();
        foreach (int offset in offsets)
        {
            byte[] damaged = (byte[])original.Clone();
            damaged[offset] ^= 0x5A;
            using (var c = Open(dir))
            {
                WriteChunk(c, runId, last.Epoch, damaged);
            }

            string? found = await harness.Store.VerifyEpochAsync(last);
            if (found is null || !found.Contains($"checkpoint {last.Epoch}: chunk 0", StringComparison.Ordinal))
            {
                missed.Add(offset);
            }
        }

        using (var c = Open(dir))
        {
            WriteChunk(c, runId, last.Epoch, original);
        }

        Assert.Empty(missed);
        Assert.Null(await harness.Store.VerifyEpochAsync(last));
    }

    [Fact]
    public void A_damaged_epoch_is_refused_in_one_line_and_an_earlier_one_still_resumes()
    {
        string reference = Repo.TempDir("reference");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", reference, "--engine", "sequential", .. Phold]).Exit);
        string dir = CheckpointedRun();
        string runId = RunId(dir);
        using (var c = Open(dir))
        {
            byte[] chunk = ReadChunk(c, runId, 4);
            chunk[chunk.Length / 2] ^= 0x01;
            WriteChunk(c, runId, 4, chunk);
        }

        string before = Fingerprint(dir);
        var resumed = CliRunner.Run("resume", dir);
        Assert.Equal(2, resumed.Exit);
        string line = Assert.Single(resumed.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("checkpoint 4", line, StringComparison.Ordinal);
        Assert.Contains("chunk 0 is damaged", line, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(dir));

        var verify = CliRunner.Run("checkpoints", dir, "--verify");
        Assert.Equal(2, verify.Exit);
        Assert.Contains("DAMAGED", verify.Out, StringComparison.Ordinal);
        Assert.Equal(3, verify.Out.Split('\n').Count(l => l.TrimEnd().EndsWith("  ok", StringComparison.Ordinal)));
        Assert.Contains("1 of 4 checkpoints damaged", verify.Err, StringComparison.Ordinal);

        var earlier = CliRunner.Run("resume", dir, "--epoch", "3");
        Assert.True(earlier.Exit == 0, earlier.Err);
        Assert.Equal(
            JsonNode.Parse(File.ReadAllText(Path.Combine(reference, "summary.json")))!["digest"]!.GetValue<string>(),
            JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["digest"]!.GetValue<string>());
    }
}
