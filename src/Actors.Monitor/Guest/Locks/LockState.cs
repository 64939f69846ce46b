namespace Disco.Actors.Monitor.Guest;

/// <summary>A path's hold on one of the SMP guest's locks.</summary>
public enum LockState
{
    None = 0,
    Needed = 1,
    Requested = 2,
    Held = 3,
}
