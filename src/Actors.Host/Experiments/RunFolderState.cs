namespace Disco.Actors.Host.Experiments;

/// <summary>What a run folder says about its run when an experiment (re)starts.</summary>
internal enum RunFolderState
{
    /// <summary>No run yet (or one that stopped before its first checkpoint, or failed): <c>disco run</c>.</summary>
    New,

    /// <summary>Interrupted after a completed checkpoint: <c>disco resume</c>.</summary>
    Resumable,

    /// <summary>Finished with its summary.json: skipped.</summary>
    Finished,
}
