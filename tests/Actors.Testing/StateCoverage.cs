using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Testing;

/// <summary>
/// Checks that a model's components declare every field that changes: runs the model part way, saves each component,
/// loads it into a freshly built model and compares the two objects field by field (by reflection, through nested
/// parts and collections). A field left out of a component's <c>DeclareState</c> keeps its initial value in the copy
/// and shows up here by its path, e.g. <c>hw.disk#12._cylinder</c>.
/// </summary>
public static class StateCoverage
{
    /// <summary>Paths of fields that differ after a save and load (empty when the declarations cover the state).</summary>
    public static IReadOnlyList<string> Differences(Func<SimulationModel> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var ran = build();
        SequentialKernel.Run(ran);
        var fresh = build();
        var differences = new List<string>();
        for (int i = 0; i < ran.Components.Count; i++)
        {
            var original = ran.Components[i];
            var copy = fresh.Components[i];
            ComponentState.Load(copy, ComponentState.Save(original), fresh.Messages);
            new Comparer(differences).Compare(original, copy, original.ToString());
        }

        return differences;
    }

    /// <summary>Paths of fields that differ between a part and its copy loaded from the part's own save (empty when equal).</summary>
    public static IReadOnlyList<string> Compare(object original, object loaded)
    {
        ArgumentNullException.ThrowIfNull(original);
        var differences = new List<string>();
        new Comparer(differences).Compare(original, loaded, original.GetType().Name);
        return differences;
    }

    private sealed class Comparer(List<string> differences)
    {
        private const int MaxDifferences = 20;
        private readonly HashSet<(object, object)> _seen = new(PairComparer.Instance);

        public void Compare(object? a, object? b, string path)
        {
            if (differences.Count >= MaxDifferences || ReferenceEquals(a, b))
            {
                return;
            }

            if ((a is null && b is ICollection { Count: 0 }) || (b is null && a is ICollection { Count: 0 }))
            {
                return; // a collection made lazily: empty and absent are the same state
            }

            if (a is null || b is null || a.GetType() != b.GetType())
            {
                differences.Add($"{path}: {Show(a)} vs {Show(b)}");
                return;
            }

            var type = a.GetType();
            if (type.IsPrimitive || type.IsEnum || a is string or decimal)
            {
                if (!a.Equals(b))
                {
                    differences.Add($"{path}: {Show(a)} vs {Show(b)}");
                }

                return;
            }

            if (a is Delegate || type.Namespace?.StartsWith("System.Reflection", StringComparison.Ordinal) == true)
            {
                return;
            }

            if (!type.IsValueType && !_seen.Add((a, b)))
            {
                return;
            }

            switch (a)
            {
                case Array x:
                    var y = (Array)b;
                    if (x.Length != y.Length)
                    {
                        differences.Add($"{path}: length {x.Length} vs {y.Length}");
                        return;
                    }

                    for (int i = 0; i < x.Length; i++)
                    {
                        Compare(x.GetValue(i), y.GetValue(i), $"{path}[{i}]");
                    }

                    return;
                case IDictionary x:
                    var d = (IDictionary)b;
                    if (x.Count != d.Count)
                    {
                        differences.Add($"{path}: {x.Count} entries vs {d.Count}");
                        return;
                    }

                    foreach (DictionaryEntry e in x)
                    {
                        if (!d.Contains(e.Key))
                        {
                            differences.Add($"{path}: key {e.Key} missing after loading");
                            return;
                        }

                        Compare(e.Value, d[e.Key], $"{path}[{e.Key}]");
                    }

                    return;
                case IEnumerable x when IsUnorderedSet(type):
                    var left = x.Cast<object?>().Select(Show).Order(StringComparer.Ordinal).ToList();
                    var right = ((IEnumerable)b).Cast<object?>().Select(Show).Order(StringComparer.Ordinal).ToList();
                    if (!left.SequenceEqual(right))
                    {
                        differences.Add($"{path}: sets differ ({left.Count} vs {right.Count} items)");
                    }

                    return;
                case IEnumerable x when type.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true:
                    var l = x.Cast<object?>().ToList();
                    var r = ((IEnumerable)b).Cast<object?>().ToList();
                    if (l.Count != r.Count)
                    {
                        differences.Add($"{path}: {l.Count} items vs {r.Count}");
                        return;
                    }

                    for (int i = 0; i < l.Count; i++)
                    {
                        Compare(l[i], r[i], $"{path}[{i}]");
                    }

                    return;
            }

            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (f.IsDefined(typeof(TransientAttribute)))
                    {
                        continue;
                    }

                    Compare(f.GetValue(a), f.GetValue(b), $"{path}.{f.Name}");
                }
            }
        }

        private static bool IsUnorderedSet(Type type) =>
            type.IsGenericType && type.GetGenericTypeDefinition() == typeof(HashSet<>);

        private static string Show(object? v) => v switch
        {
            null => "null",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
    }

    private sealed class PairComparer : IEqualityComparer<(object, object)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((object, object) x, (object, object) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((object, object) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Item1), RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
