using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// A guest's I/O request as the monitor sends it out: the VCPU (its number in the run) whose guest issued it,
/// and the guest's own request id. The completion comes back with it and goes to that VCPU's guest.
/// </summary>
public readonly record struct VcpuRequest([Bounds(0, int.MaxValue)] VcpuId Vcpu, [Bounds(0, (1L << VcpuRequest.IdBits) - 1)] long Id) : IStateValue<VcpuRequest>
{
    /// <summary>The guest's ids stay below 2^40.</summary>
    private const int IdBits = 40;

    /// <summary>The one number message hashes fold in (VCPU above the guest's id): a hash input, never decoded.</summary>
    public long HashInput => ((long)Vcpu.Value << IdBits) | Id;

    public void Write(ref StateWriter writer)
    {
        writer.Write(Vcpu.Value);
        writer.Write(Id);
    }

    public static VcpuRequest Read(ref StateReader reader, string what) =>
        new(new VcpuId(reader.ReadInt(what + " vcpu", 0, int.MaxValue)), reader.ReadLong(what + " id", 0, (1L << IdBits) - 1));

    public override string ToString() => $"request {Id} of VCPU {Vcpu}";
}
