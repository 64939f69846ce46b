using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>A process to place on the bare machine: its node, its operation stream, the regions it shares.</summary>
public sealed record BareProcessSpec(int Node, IOperationSource Source, IReadOnlyList<SharedRegion> Shared);
