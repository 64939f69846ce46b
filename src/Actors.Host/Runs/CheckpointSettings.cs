using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Host.Runs;

/// <summary>The <c>disco.checkpoint</c> section: cadence and store.</summary>
internal sealed record CheckpointSettings(SimTime? Every, TimeSpan? WallEvery, string Db)
{
    public bool Enabled => Every is not null || WallEvery is not null;

    public static CheckpointSettings From(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        SimTime? every = null;
        if (config.GetString("disco.checkpoint.every") is not ("off" or "none" or ""))
        {
            var t = config.GetSimTime("disco.checkpoint.every");
            every = t.Ps > 0 ? t : throw config.Error("disco.checkpoint.every", "must be a positive simulated time or off");
        }

        return new CheckpointSettings(every, config.GetWallDuration("disco.checkpoint.wall-every"), config.GetString("disco.checkpoint.db"));
    }

    /// <summary>The store: the configured one, else <c>checkpoints.db</c> in the run folder.</summary>
    public CheckpointDb Store(RunFolder folder, string source)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return string.IsNullOrWhiteSpace(Db) ? CheckpointDb.Sqlite(folder.DefaultDb) : CheckpointDb.Parse(Db, source);
    }
}
