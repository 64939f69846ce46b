using System.Globalization;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// A VCPU by its number in the run (<see cref="Vcpu.Index"/>: VM v's VCPU k is v × VCPUs per VM + k; its component
/// is the number-th VCPU component). <see cref="None"/> when no VCPU is meant.
/// </summary>
public readonly record struct VcpuId([Bounds(-1, int.MaxValue)] int Value)
{
    public static readonly VcpuId None = new(-1);

    public bool IsNone => Value < 0;

    public override string ToString() => IsNone ? "none" : Value.ToString(CultureInfo.InvariantCulture);
}
