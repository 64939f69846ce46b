namespace Disco.Actors.Hardware.Disk;

/// <summary>How long one request keeps the disk busy, split into its parts. All in picoseconds.</summary>
public readonly record struct DiskService(long OverheadPs, long SeekPs, long RotationPs, long TransferPs)
{
    public long TotalPs => OverheadPs + SeekPs + RotationPs + TransferPs;
}

/// <summary>
/// The mechanics of the disk, as pure functions of its parameters: seek curve, rotational position (a function of
/// absolute simulated time, so no random draw is needed) and transfer at the sustained rate.
/// </summary>
public sealed class DiskMechanism
{
    private readonly DiskParams _p;

    public DiskMechanism(DiskParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _p = parameters;
    }

    public DiskParams Parameters => _p;

    public int CylinderOf(long sector) => (int)(sector / ((long)_p.Heads * _p.SectorsPerTrack) % _p.Cylinders);

    public long SeekPs(int distanceCylinders)
    {
        if (distanceCylinders <= 0)
        {
            return 0;
        }

        double ms = distanceCylinders < _p.SeekBoundaryCylinders
            ? _p.SeekShortBaseMs + (_p.SeekShortPerSqrtCylinderMs * Math.Sqrt(distanceCylinders))
            : _p.SeekLongBaseMs + (_p.SeekLongPerCylinderMs * distanceCylinders);
        return (long)Math.Round(ms * 1e9);
    }

    /// <summary>Time from <paramref name="atPs"/> until the start of <paramref name="sector"/> passes under the head.</summary>
    public long RotationalDelayPs(long atPs, long sector)
    {
        long rotation = _p.RotationPs;
        long sectorPs = rotation / _p.SectorsPerTrack;
        long target = sector % _p.SectorsPerTrack * sectorPs;
        long position = atPs % rotation;
        long wait = target - position;
        return wait >= 0 ? wait : wait + rotation;
    }

    public long TransferPs(long bytes) => (long)Math.Round(bytes / (_p.TransferMbPerS * 1e6) * 1e12);

    /// <summary>Service of a request that starts at <paramref name="startPs"/> with the head on <paramref name="fromCylinder"/>.</summary>
    public DiskService Service(long startPs, int fromCylinder, long sector, long bytes)
    {
        long overhead = _p.ControllerOverheadPs;
        long seek = SeekPs(Math.Abs(CylinderOf(sector) - fromCylinder));
        long rotation = RotationalDelayPs(startPs + overhead + seek, sector);
        return new DiskService(overhead, seek, rotation, TransferPs(bytes));
    }
}
