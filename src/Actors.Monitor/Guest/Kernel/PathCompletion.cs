namespace Disco.Actors.Monitor.Guest;

/// <summary>What the kernel does when a path ends.</summary>
public enum PathCompletion
{
    None = 0,

    /// <summary>Run the process in slot <see cref="KernelPath.Argument"/> next (the end of a context switch).</summary>
    SwitchTo = 1,

    /// <summary>The current process is gone: free its slot and start the next job.</summary>
    Exit = 2,
}
