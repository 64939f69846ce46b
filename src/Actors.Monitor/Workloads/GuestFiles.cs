namespace Disco.Actors.Monitor.Workloads;

/// <summary>File numbers of a guest's file system: program binaries, the shared mapped file, inputs, outputs.</summary>
public static class GuestFiles
{
    public const int ProgramBase = 1 << 20;
    public const int SharedFile = (1 << 20) + (1 << 16);
    public const int OutputBase = 1 << 21;

    /// <summary>Blocks per file at most (a file's blocks are consecutive on disk).</summary>
    public const int MaxBlocks = 1 << 14;

    public static int Program(int program) => ProgramBase + program;

    public static int Output(int job) => OutputBase + job;
}
