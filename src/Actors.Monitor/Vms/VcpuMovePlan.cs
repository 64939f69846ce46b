namespace Disco.Actors.Monitor.Vms;

/// <summary>A planned migration: at <paramref name="AtPs"/>, VCPU <paramref name="Vcpu"/> (its number in the run) moves to processor <paramref name="Processor"/>.</summary>
public sealed record VcpuMovePlan(long AtPs, int Vcpu, int Processor);
