namespace Disco.Actors.Monitor.BareOs;

/// <summary>Where a bare OS process is in its life.</summary>
public enum ProcessState : byte
{
    Runnable = 0,
    BlockedOnDisk = 1,
    Exited = 2,
}
