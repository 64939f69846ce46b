using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Testing;

/// <summary>A fixed list of operations: a process whose every step the test names.</summary>
public sealed class ScriptedSource(params Operation[] operations) : IOperationSource
{
    private int _next;

    public bool TryNext(out Operation operation)
    {
        if (_next < operations.Length)
        {
            operation = operations[_next++];
            return true;
        }

        operation = default;
        return false;
    }

    public void DeclareState(ref StateIo io) => io.Int("next", ref _next, 0, operations.Length);
}
