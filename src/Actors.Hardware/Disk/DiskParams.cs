namespace Disco.Actors.Hardware.Disk;

/// <summary>
/// An HP 97560-like disk (our choice; [D] does not describe its disks). Geometry, speed and seek curve after Ruemmler
/// and Wilkes, "An introduction to disk drive modeling" (IEEE Computer, 1994): seek = a + b·√d ms for short seeks,
/// c + e·d ms for long ones.
/// </summary>
public sealed record DiskParams
{
    public int Cylinders { get; init; } = 1962;

    public int Heads { get; init; } = 19;

    public int SectorsPerTrack { get; init; } = 72;

    public int SectorBytes { get; init; } = 512;

    public int Rpm { get; init; } = 4002;

    public double TransferMbPerS { get; init; } = 2.2;

    public long ControllerOverheadPs { get; init; } = 1_000_000_000;

    public double SeekShortBaseMs { get; init; } = 3.24;

    public double SeekShortPerSqrtCylinderMs { get; init; } = 0.400;

    public double SeekLongBaseMs { get; init; } = 8.00;

    public double SeekLongPerCylinderMs { get; init; } = 0.008;

    /// <summary>Seeks of at least this many cylinders use the long-seek line.</summary>
    public int SeekBoundaryCylinders { get; init; } = 383;

    public long Sectors => (long)Cylinders * Heads * SectorsPerTrack;

    public long RotationPs => 60_000_000_000_000L / Rpm;

    public IEnumerable<(string Field, string Problem)> Problems()
    {
        foreach (var (key, value) in new (string, long)[]
        {
            ("cylinders", Cylinders), ("heads", Heads), ("sectors-per-track", SectorsPerTrack), ("sector-bytes", SectorBytes), ("rpm", Rpm),
        })
        {
            if (value <= 0)
            {
                yield return (key, $"must be positive (got {value})");
            }
        }

        if (!(TransferMbPerS > 0))
        {
            yield return ("transfer-mb-per-s", $"must be positive (got {TransferMbPerS})");
        }

        if (ControllerOverheadPs < 0)
        {
            yield return ("controller-overhead", "must not be negative");
        }

        foreach (var (key, value) in new (string, double)[]
        {
            ("seek.short-base-ms", SeekShortBaseMs), ("seek.short-per-sqrt-cylinder-ms", SeekShortPerSqrtCylinderMs),
            ("seek.long-base-ms", SeekLongBaseMs), ("seek.long-per-cylinder-ms", SeekLongPerCylinderMs),
        })
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                yield return (key, $"must be a finite number ≥ 0 (got {value})");
            }
        }

        if (SeekBoundaryCylinders < 1)
        {
            yield return ("seek.boundary-cylinders", $"must be at least 1 (got {SeekBoundaryCylinders})");
        }
    }
}
