using Disco.Actors.Engine.Model;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// The directory's coherence invariants (as the hardware's protocol property test states them) on a whole model, for
/// the lines of some machine pages: one writer or many readers among the processors' caches, and the line's home
/// directory agreeing with them (one processor per node).
/// </summary>
internal static class CoherenceCheck
{
    public static string? Violation(SimulationModel model, MachineParams machine, IEnumerable<long> pages)
    {
        var processors = model.Components.OfType<ProcessorComponent>().OrderBy(p => p.Id.Value).ToArray();
        var directories = model.Components.OfType<DirectoryComponent>().OrderBy(d => d.Id.Value).ToArray();
        long pagesPerNode = machine.MemoryBytes / MachineConstants.PageSizeBytes / machine.Nodes;
        int linesPerPage = machine.LinesPerPage;
        foreach (long page in pages)
        {
            for (int i = 0; i < linesPerPage; i++)
            {
                long line = (page * linesPerPage) + i;
                var states = processors.Select(p => p.Caches.StateOf(line)).ToArray();
                var holders = Enumerable.Range(0, states.Length).Where(n => states[n] != L2State.Invalid).ToArray();
                var writers = holders.Where(n => states[n] is L2State.Exclusive or L2State.Modified).ToArray();
                if (writers.Length > 1 || (writers.Length == 1 && holders.Length > 1))
                {
                    return $"page {page} line {line:x}: writers [{string.Join(",", writers)}] with holders [{string.Join(",", holders)}]";
                }

                var v = directories[(int)(page / pagesPerNode)].Directory.View(new LineAddress(line));
                bool agrees = v.State switch
                {
                    DirectoryState.Uncached => holders.Length == 0,
                    DirectoryState.Shared => writers.Length == 0 && holders.All(n => (v.Sharers & (1UL << n)) != 0),
                    _ => holders.All(n => n == v.Owner),
                };
                if (!agrees)
                {
                    return $"page {page} line {line:x}: directory {v} but caches [{string.Join(",", states)}]";
                }
            }
        }

        return null;
    }
}
