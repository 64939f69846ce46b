using Disco.Actors.Engine.Components;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>A message in the directory's outbound queue: ready at <paramref name="ReadyPs"/>, and not before the memory answered <paramref name="WaitFor"/> (0: waits for no answer).</summary>
internal readonly record struct PendingSend(int Target, long ReadyPs, long WaitFor, ISimMessage Message);
