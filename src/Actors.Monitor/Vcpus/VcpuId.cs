using System.Globalization;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// A VCPU as one processor's monitor numbers them: its index among the VCPUs with affinity to that processor, in the
/// order they were added (the round robin's order). <see cref="None"/> when no VCPU is meant.
/// </summary>
public readonly record struct VcpuId([Bounds(-1, int.MaxValue)] int Value)
{
    public static readonly VcpuId None = new(-1);

    public bool IsNone => Value < 0;

    public override string ToString() => IsNone ? "none" : Value.ToString(CultureInfo.InvariantCulture);
}
