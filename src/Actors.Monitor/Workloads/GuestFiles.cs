namespace Disco.Actors.Monitor.Workloads;

/// <summary>File numbers of a guest's file system: program binaries, the shared mapped file, inputs, outputs.</summary>
public static class GuestFiles
{
    public const int ProgramBase = 1 << 20;
    public const int SharedFile = (1 << 20) + (1 << 16);
    public const int OutputBase = 1 << 21;

    /// <summary>The kernel's image: its text is loaded from it at boot.</summary>
    public const int Kernel = (1 << 20) + (1 << 17);

    /// <summary>The guest's disks: the root disk holds the kernel, the programs and the shared file; the data disk
    /// (when there are two or more disks) the jobs' inputs and outputs.</summary>
    public const int RootDisk = 0;

    public const int DataDisk = 1;

    /// <summary>The guest disk a file is on.</summary>
    public static int DiskOf(int file, int disks) => file >= ProgramBase && file < OutputBase ? RootDisk : Math.Min(DataDisk, disks - 1);

    /// <summary>Blocks per file at most (a file's blocks are consecutive on disk).</summary>
    public const int MaxBlocks = 1 << 14;

    public static int Program(int program) => ProgramBase + program;

    public static int Output(int job) => OutputBase + job;
}
