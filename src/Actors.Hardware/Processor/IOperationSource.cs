using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Processor;

/// <summary>
/// An operation stream (a trace being replayed, a synthetic generator, a guest's code). Its position and random
/// state are part of the checkpoint: its declaration lists them.
/// </summary>
public interface IOperationSource : IStateful
{
    /// <summary>The next operation, or false when the stream has ended.</summary>
    bool TryNext(out Operation operation);
}
