using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Npgsql;

namespace Disco.Actors.Host.Runs;

/// <summary>
/// One owner per run: a process that runs or resumes a run holds it until it exits, and a second process on the same
/// run is refused before it writes anything, with one line naming the owner.
/// <para>
/// Why operating-system locks and not a lease row with a renewal timer: the lock dies with its process (SIGKILL, a
/// crash, power loss), so a requeued job takes the run over at once with no manual step and no timeout to tune;
/// and a process that still holds it — even one that is paused (SIGSTOP, a long GC) — keeps it, so a paused owner can
/// never wake up to find another writer in its run: two writers cannot happen, there is nothing to fence. The run
/// folder's lock is an exclusive <c>flock</c> on <c>run.lock</c> (what .NET takes for <see cref="FileShare.None"/>);
/// a PostgreSQL run also holds a session advisory lock keyed by its run id, so two processes resuming one run from
/// different folders or machines exclude each other too.
/// </para>
/// </summary>
internal sealed class RunOwnership : IDisposable
{
    private readonly FileStream _folderLock;
    private readonly NpgsqlConnection? _databaseLock;

    private RunOwnership(FileStream folderLock, NpgsqlConnection? databaseLock)
    {
        _folderLock = folderLock;
        _databaseLock = databaseLock;
    }

    /// <summary>Takes the run in <paramref name="folder"/> (and, in PostgreSQL, run <paramref name="runId"/>), or refuses naming the owner.</summary>
    public static RunOwnership Acquire(RunFolder folder, CheckpointDb? db, string? runId)
    {
        ArgumentNullException.ThrowIfNull(folder);
        Directory.CreateDirectory(folder.Path);
        string lockPath = Path.Combine(folder.Path, "run.lock");
        string ownerPath = Path.Combine(folder.Path, "run.owner");
        FileStream held;
        try
        {
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new BadInputException(folder.Path, $"the run here is owned by {Describe(ownerPath)}; a run has one owner at a time (let it finish or stop it first)");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new BadInputException(folder.Path, "cannot take the run: " + ex.Message);
        }

        string me = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId} {Environment.MachineName} {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}");
        File.WriteAllText(ownerPath, me + "\n");
        NpgsqlConnection? databaseLock = null;
        try
        {
            if (db is { Kind: CheckpointDbKind.PostgreSql } && runId is not null)
            {
                databaseLock = LockInDatabase(db, runId, me);
            }
        }
        catch
        {
            held.Dispose();
            throw;
        }

        return new RunOwnership(held, databaseLock);
    }

    /// <summary>
    /// Called before every checkpoint write. The folder lock cannot be lost while the process lives; the database
    /// lock can, if the server drops a paused owner's session. Then another process may own the run now, and this one
    /// stops before writing, in one line.
    /// </summary>
    public void EnsureStillOwner()
    {
        if (_databaseLock is null)
        {
            return;
        }

        try
        {
            using var alive = new NpgsqlCommand("SELECT 1", _databaseLock);
            alive.ExecuteScalar();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            throw new IOException($"lost the run's lock in the checkpoint store ({ex.Message.Split('\n')[0]}): another process may own the run now; stopping without writing");
        }
    }

    public void Dispose()
    {
        _databaseLock?.Dispose();
        _folderLock.Dispose();
    }

    private static NpgsqlConnection LockInDatabase(CheckpointDb db, string runId, string me)
    {
        long key = BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("disco-run-" + runId)), 0);
        // Its own session, never pooled: closing it must end the session, and with it the lock.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS disco_run_owner (run_id text PRIMARY KEY, owner text NOT NULL)", connection))
            {
                try
                {
                    create.ExecuteNonQuery();
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
                {
                    // Two processes created it at once (IF NOT EXISTS is not atomic in PostgreSQL): it exists.
                }
            }

            using (var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@k)", connection))
            {
                take.Parameters.AddWithValue("k", key);
                if (!(bool)take.ExecuteScalar()!)
                {
                    using var who = new NpgsqlCommand("SELECT owner FROM disco_run_owner WHERE run_id = @r", connection);
                    who.Parameters.AddWithValue("r", runId);
                    string owner = who.ExecuteScalar() as string ?? "another process";
                    throw new BadInputException(db.Display, $"run {runId} is owned by {DescribeOwner(owner, local: false)}; a run has one owner at a time (let it finish or stop it first)");
                }
            }

            using var record = new NpgsqlCommand("INSERT INTO disco_run_owner (run_id, owner) VALUES (@r, @o) ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner", connection);
            record.Parameters.AddWithValue("r", runId);
            record.Parameters.AddWithValue("o", me);
            record.ExecuteNonQuery();
            return connection;
        }
        catch (NpgsqlException ex)
        {
            connection.Dispose();
            throw new BadInputException(db.Display, "cannot take the run in the checkpoint store: " + ex.Message.Split('\n')[0]);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static string Describe(string ownerPath)
    {
        try
        {
            return DescribeOwner(File.ReadAllText(ownerPath).Trim(), local: true);
        }
        catch (IOException)
        {
            return "another process";
        }
    }

    /// <summary>"process 1234 on host h since 2026-12-02 14:55:01 UTC", and whether that process is paused.</summary>
    private static string DescribeOwner(string owner, bool local)
    {
        string[] parts = owner.Split(' ');
        if (parts.Length != 3 || !long.TryParse(parts[2], CultureInfo.InvariantCulture, out long since))
        {
            return "another process";
        }

        string when = DateTimeOffset.FromUnixTimeSeconds(since).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        string state = local && parts[1] == Environment.MachineName ? ProcessState(parts[0]) : "";
        return $"process {parts[0]} on {parts[1]} since {when} UTC{state}";
    }

    private static string ProcessState(string pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            char state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is 'T' or 't' ? ", which is paused (SIGSTOP: continue it with kill -CONT or end it)" : "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return "";
        }
    }
}
