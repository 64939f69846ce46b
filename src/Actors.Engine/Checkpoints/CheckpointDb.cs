using System.Data.Common;
using Akka.Configuration;
using Disco.Actors.Engine.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Disco.Actors.Engine.Checkpoints;

/// <summary>
/// Where checkpoints live: an embedded SQLite file (the default, <c>&lt;out&gt;/checkpoints.db</c>) or a PostgreSQL
/// database shared by the processes of a cluster (<c>--db "Host=...;Database=...;Username=...;Password=..."</c>).
/// </summary>
public sealed record CheckpointDb(CheckpointDbKind Kind, string ConnectionString, string Display)
{
    public static CheckpointDb Sqlite(string path) =>
        new(CheckpointDbKind.Sqlite, new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Pooling = false }.ToString(), path);

    /// <summary>A <c>--db</c> value: a PostgreSQL connection string (it has <c>Host=</c>), otherwise a SQLite file path.</summary>
    public static CheckpointDb Parse(string value, string option = "--db")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (!value.Contains("host=", StringComparison.OrdinalIgnoreCase))
        {
            return Sqlite(value);
        }

        try
        {
            var b = new NpgsqlConnectionStringBuilder(value);
            b.Timeout = b.Timeout is 0 or 15 ? 5 : b.Timeout;
            string display = $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
            return new CheckpointDb(CheckpointDbKind.PostgreSql, b.ToString(), display);
        }
        catch (ArgumentException ex)
        {
            throw new BadInputException(option, "not a valid PostgreSQL connection string: " + ex.Message);
        }
    }

    /// <summary>
    /// Akka.Persistence.Sql settings for this store, with our binary serializer bound to every checkpoint record.
    /// Tables are created only when <paramref name="createTables"/> (a new run), never when reading an existing store.
    /// </summary>
    public Config PersistenceConfig(bool createTables)
    {
        string provider = Kind == CheckpointDbKind.Sqlite ? "SQLite.MS" : "PostgreSQL.15";
        string cs = ConnectionString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        string init = createTables ? "true" : "false";
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = "{{cs}}"
                  provider-name = "{{provider}}"
                  auto-initialize = {{init}}
                  warn-on-auto-init-fail = false
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = "{{cs}}"
                  provider-name = "{{provider}}"
                  auto-initialize = {{init}}
                  warn-on-auto-init-fail = false
                }
              }
            }
            """)
            .WithFallback(AkkaTypes.SerializerBinding("disco-binary", typeof(DiscoBinarySerializer), typeof(ICheckpointRecord)))
            .WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// Checks the store can be used before any actor touches it: the database is reachable and, when
    /// <paramref name="mustHoldRuns"/>, it already holds disco's tables (a foreign or empty file is refused unchanged).
    /// Prepares a new SQLite file for concurrent journal and snapshot writes (WAL).
    /// </summary>
    public void Verify(bool mustHoldRuns, string place)
    {
        try
        {
            if (Kind == CheckpointDbKind.Sqlite)
            {
                VerifySqlite(mustHoldRuns, place);
            }
            else
            {
                VerifyPostgres(mustHoldRuns, place);
            }
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            throw new BadInputException(place, $"cannot use the checkpoint store {Display}: {ex.Message.Split('\n')[0]}");
        }
    }

    private void VerifySqlite(bool mustHoldRuns, string place)
    {
        string path = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        if (mustHoldRuns && !File.Exists(path))
        {
            throw new BadInputException(place, $"no checkpoint store at {Display}");
        }

        var cs = new SqliteConnectionStringBuilder(ConnectionString) { Mode = mustHoldRuns ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate };
        using var connection = new SqliteConnection(cs.ToString());
        connection.Open();
        long found = CountTables(connection, "journal", "snapshot"); // a file that is not SQLite fails here: "file is not a database"
        if (mustHoldRuns && found < 2)
        {
            throw new BadInputException(place, $"{Display} is not a disco checkpoint store (no journal and snapshot tables)");
        }

        if (!mustHoldRuns)
        {
            // The journal and the snapshot store write the same file concurrently: WAL lets them (akka.net #3538).
            using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL";
            wal.ExecuteNonQuery();
        }
    }

    private void VerifyPostgres(bool mustHoldRuns, string place)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        if (mustHoldRuns)
        {
            if (CountTables(connection, "journal", "snapshot") < 2)
            {
                throw new BadInputException(place, $"{Display} holds no disco checkpoints (no journal and snapshot tables)");
            }
        }
    }

    /// <summary>How many of the named tables (every table when none is named) the open store has.</summary>
    private static long CountTables(DbConnection connection, params string[] names)
    {
        using var command = connection.CreateCommand();
        string table = connection is SqliteConnection ? "sqlite_master WHERE type = 'table'" : "information_schema.tables WHERE true";
        string column = connection is SqliteConnection ? "name" : "table_name";
        string only = names.Length == 0 ? "" : $" AND {column} IN ({string.Join(", ", names.Select(n => $"'{n}'"))})";
        command.CommandText = $"SELECT count(*) FROM {table}{only}";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>True for a SQLite store that holds nothing yet: no file, an empty file, or a database without tables.</summary>
    public bool IsEmptySqlite()
    {
        if (Kind != CheckpointDbKind.Sqlite)
        {
            return false;
        }

        var cs = new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadOnly };
        if (!File.Exists(cs.DataSource) || new FileInfo(cs.DataSource).Length == 0)
        {
            return true;
        }

        try
        {
            using var connection = new SqliteConnection(cs.ToString());
            connection.Open();
            return CountTables(connection) == 0;
        }
        catch (SqliteException)
        {
            return false; // not a database at all: that is another error
        }
    }

    /// <summary>
    /// How many epochs of run <paramref name="runId"/> the store holds as completed, read with plain SQL (no actor
    /// system): 0 when the file, the tables or the run are not there, as after a run killed before its first checkpoint.
    /// </summary>
    public long CompletedEpochs(string runId)
    {
        try
        {
            var cs = new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadOnly };
            if (Kind == CheckpointDbKind.Sqlite && !File.Exists(cs.DataSource))
            {
                return 0;
            }

            using DbConnection connection = Kind == CheckpointDbKind.Sqlite ? new SqliteConnection(cs.ToString()) : new NpgsqlConnection(ConnectionString);
            connection.Open();
            if (CountTables(connection, "journal") == 0)
            {
                return 0;
            }

            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM journal WHERE persistence_id = @p AND manifest LIKE 'checkpoint-completed.%'";
            var p = count.CreateParameter();
            p.ParameterName = "p";
            p.Value = RunJournal.JournalId(runId);
            count.Parameters.Add(p);
            return Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is SqliteException or NpgsqlException or InvalidOperationException or IOException or TimeoutException)
        {
            throw new BadInputException(Display, $"cannot read the checkpoint store: {ex.Message.Split('\n')[0]}");
        }
    }
}

public enum CheckpointDbKind
{
    Sqlite,
    PostgreSql,
}
