namespace Disco.Actors.Monitor;

/// <summary>Stable message kinds of the monitor (range 200-299): they enter digests and name types in checkpoints.</summary>
public static class MonitorMessageKinds
{
    public const int MachinePageRequest = 200;
    public const int MachinePageGrant = 201;
    public const int VirtualDiskIo = 202;
    public const int VirtualDiskDone = 203;
    public const int CopyOnWriteRequest = 204;
    public const int NfsRequest = 205;
    public const int NfsReply = 206;
    public const int LockAcquire = 207;
    public const int LockGrant = 208;
    public const int LockRelease = 209;
    public const int VcpuReady = 210;
    public const int VcpuFetch = 211;
    public const int VcpuDispatch = 212;
    public const int VcpuPark = 213;
    public const int VcpuRecall = 214;
    public const int VcpuLeave = 215;
    public const int VcpuMove = 216;
    public const int VmVcpusQuery = 217;
    public const int VmVcpusAnswer = 218;
    public const int TlbShootdown = 219;
    public const int TlbShootdownAck = 220;
    public const int PageCopyRequest = 221;
    public const int PageCopyDone = 222;
    public const int PageRelease = 223;

    // The SMP guest's shared run queue (Guest/RunQueue); 230 up, leaving room after the NUMA protocol.
    public const int RunQueueAsk = 230;
    public const int RunQueueThieves = 231;
    public const int ProcessPut = 232;
    public const int ProcessGive = 233;
    public const int ProcessReturn = 234;
}
