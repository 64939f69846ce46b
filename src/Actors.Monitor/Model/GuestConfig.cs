using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Time;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Model;

/// <summary>Reads disco.guest, disco.monitor and the guest workloads under disco.workload; every bad value names its key.</summary>
public static class GuestConfig
{
    public const string GuestRoot = "disco.guest.";
    public const string MonitorRoot = "disco.monitor.";

    public static readonly string[] WorkloadKinds = ["pmake", "engineering", "raytrace", "database", "radix"];

    /// <summary>Values of disco.guest.os: the IRIX-like kernel, or the SPLASHOS-like library OS (under the monitor only).</summary>
    public static readonly string[] OsKinds = ["irix", "splashos"];

    /// <summary>Values of disco.guest.smp.placement.</summary>
    public static readonly string[] PlacementKinds = ["round-robin", "by-processor"];

    /// <summary>Values of disco.guest.smp.scheduling.</summary>
    public static readonly string[] SchedulingKinds = ["shared", "pinned"];

    public static bool MonitorEnabled(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.GetBool(MonitorRoot + "enabled");
    }

    /// <summary>
    /// <c>disco.monitor.vcpu-moves</c>: planned VCPU migrations, "time:vcpu:processor" separated by commas (empty:
    /// none), e.g. "3ms:0:1" moves VCPU 0 to processor 1 at 3 ms. Every VCPU and processor must exist.
    /// </summary>
    public static IReadOnlyList<Vms.VcpuMovePlan> ReadMoves(SimConfig config, MonitorParams monitor, int processors)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(monitor);
        const string key = MonitorRoot + "vcpu-moves";
        var moves = new List<Vms.VcpuMovePlan>();
        foreach (string item in config.GetString(key).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split(':');
            if (parts.Length != 3 || !SimTime.TryParse(parts[0], out var at)
                || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int vcpu)
                || !int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int processor))
            {
                throw config.Error(key, $"'{item}' is not time:vcpu:processor (e.g. 3ms:0:1)");
            }

            int vcpus = monitor.Vms * monitor.VcpusPerVm;
            if (vcpu >= vcpus || processor >= processors)
            {
                throw config.Error(key, $"'{item}': the run has VCPUs 0-{vcpus - 1} and processors 0-{processors - 1}");
            }

            moves.Add(new Vms.VcpuMovePlan(at.Ps, vcpu, processor));
        }

        return moves;
    }

    public static GuestParams ReadGuest(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string g = GuestRoot;
        var paths = new PathCost[GuestParams.CodeCount];
        for (int i = 0; i < paths.Length; i++)
        {
            string at = g + "paths." + GuestParams.CodeKeys[i] + ".";
            paths[i] = new PathCost(config.GetInt(at + "instructions", 1, 1_000_000), config.GetInt(at + "data-lines", 0, 4096));
        }

        var p = new GuestParams
        {
            MemoryBytes = config.GetLong(g + "memory-mb", 1, 1L << 20) << 20,
            TimeSlicePs = config.GetSimTime(g + "time-slice").Ps,
            LibraryOs = config.GetOneOf(g + "os", OsKinds) == "splashos",
            Processors = config.GetInt(g + "smp.processors", 1, 64),
            SemaphoreLatencyPs = config.GetSimTime(g + "smp.semaphore-latency").Ps,
            NfsThreads = config.GetInt(g + "nfs.threads", 1, 64),
            NfsWarmCache = config.GetBool(g + "nfs.warm-cache"),
            PlaceByProcessor = config.GetOneOf(g + "smp.placement", PlacementKinds) == "by-processor",
            SharedRunQueue = config.GetOneOf(g + "smp.scheduling", SchedulingKinds) == "shared",
            AffinityStealPs = config.GetSimTime(g + "smp.affinity-steal").Ps,
            RunQueueLatencyPs = config.GetSimTime(g + "smp.runqueue-latency").Ps,
            KernelTextPages = (int)(config.GetLong(g + "kernel-text-kb", 4, 1L << 20) / 4),
            KernelDataPages = (int)(config.GetLong(g + "kernel-data-kb", 4, 1L << 20) / 4),
            EntryPrivileged = config.GetInt(g + "privileged.entry", 0, 64),
            ExitPrivileged = config.GetInt(g + "privileged.exit", 1, 64),
            Paths = paths,
        };
        foreach (var (key, problem) in p.Problems())
        {
            throw config.Error(g + key, problem);
        }

        return p;
    }

    public static MonitorParams ReadMonitor(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string m = MonitorRoot;

        // A handler's cost is its instruction count at one cycle each.
        long cycle = config.GetSimTime(Hardware.Machine.MachineConfig.MachineRoot + "processor.cycle-time").Ps;
        long Instructions(string key) => config.GetInt(m + key, 0, 1_000_000) * cycle;
        var p = new MonitorParams
        {
            CycleTimePs = cycle,
            Vms = config.GetInt(m + "vms", 1, 64),
            VcpusPerVm = config.GetInt(m + "vcpus-per-vm", 1, 64),
            TrapPs = Instructions("trap"),
            EmulatePrivilegedPs = Instructions("emulate-privileged"),
            EmulateTlbWritePs = Instructions("emulate-tlb-write"),
            ReflectPs = Instructions("reflect"),
            L2TlbLookupPs = Instructions("l2tlb-lookup"),
            L2TlbEntries = config.GetInt(m + "l2tlb-entries", 1, 1 << 24),
            MonitorCallPs = Instructions("monitor-call"),
            DmaPerPagePs = Instructions("dma-per-page"),
            PageFillPs = config.GetSimTime(m + "page-fill").Ps,
            PageCopyPs = config.GetSimTime(m + "page-copy").Ps,
            VcpuSwitchPs = Instructions("vcpu-switch"),
            InterruptPs = Instructions("interrupt"),
            ShootdownSendPs = config.GetSimTime(m + "shootdown-send").Ps,
            VcpuTimeSlicePs = config.GetSimTime(m + "vcpu-time-slice").Ps,
            IpiLatencyPs = config.GetSimTime(m + "ipi-latency").Ps,
            CheckInvariants = config.GetBool(m + "check-invariants"),
            PersistentRootDisk = config.GetBool(m + "persistent-root-disk"),
            CodeBytes = config.GetLong(m + "memory.code-kb", 0, 1L << 20) << 10,
            ReplicateCode = config.GetBool(m + "memory.replicate-code"),
            PmapEntryBytes = config.GetInt(m + "memory.pmap-entry-bytes", 0, 4096),
            MemmapEntryBytes = config.GetInt(m + "memory.memmap-entry-bytes", 0, 4096),
            L2TlbEntryBytes = config.GetInt(m + "memory.l2tlb-entry-bytes", 0, 4096),
            VcpuStateBytes = config.GetInt(m + "memory.vcpu-state-bytes", 0, 1 << 20),
            Nfs = config.GetBool(m + "nfs.enabled"),
            NfsServerMemoryBytes = config.GetLong(m + "nfs.server-memory-mb", 1, 1L << 20) << 20,
            NetworkLatencyPs = config.GetSimTime(m + "nfs.latency").Ps,
            Numa = Numa.NumaConfig.Read(config),
        };
        foreach (var (key, problem) in p.Problems())
        {
            throw config.Error(m + key, problem);
        }

        return p;
    }

    public static GuestWorkload ReadWorkload(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string kind = config.GetOneOf(WorkloadConfig.WorkloadRoot + "kind", WorkloadKinds);
        string at = WorkloadConfig.WorkloadRoot + kind + ".";
        var profile = WorkloadConfig.ReadProfile(config, at);
        var w = new GuestWorkload
        {
            Kind = kind,
            Profile = profile,
            Jobs = config.GetInt(at + "processes", 1, 1_000_000),
            Parallelism = config.GetInt(at + "parallelism", 1, 1_000_000),
            Programs = config.GetInt(at + "programs", 1, 1_000_000),
            FilesPerJob = config.GetInt(at + "files-per-job", 0, 1_000_000),
            DistinctFiles = config.GetInt(at + "distinct-files", 1, 1_000_000),
            FileKb = config.GetInt(at + "file-kb", 0, int.MaxValue),
            CallKb = config.GetInt(at + "call-kb", 0, int.MaxValue),
            WriteKb = config.GetInt(at + "write-kb", 0, int.MaxValue),
            LookupsPerOpen = config.GetDouble(at + "lookups-per-open"),
            OtherSyscallsPerMillion = config.GetDouble(at + "other-syscalls-per-million"),
            WarmCache = config.GetBool(at + "warm-cache"),
            WriteInPlace = config.GetBool(at + "write-in-place"),
            SyncWrites = config.GetBool(at + "sync-writes"),
            TouchWorkingSet = config.GetBool(at + "touch-working-set"),
            SharedAddressSpace = config.GetBool(at + "shared-address-space"),
        };
        if (profile.SharedShare > 0 && profile.SharedStoreFraction > 0 && !w.SharedAddressSpace)
        {
            throw config.Error(at + "shared-store-fraction", "must be 0 unless shared-address-space = true: the shared region is then a file mapped read-only");
        }

        foreach (var (key, problem) in w.Problems())
        {
            throw config.Error(at + key, problem);
        }

        return w;
    }
}
