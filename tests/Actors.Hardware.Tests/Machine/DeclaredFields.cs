using System.Collections;
using System.Reflection;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Tests.Machine;

/// <summary>
/// Catches a field left out of a declaration: after a round trip, every field of a part (and of the parts it holds)
/// must equal the original's, except those named as derived (rebuilt or reset on load: position caches, hints).
/// Numbers, enums, flags and arrays of them are compared; collections are left to the byte comparison. A cache's tags
/// and last uses are saved for its valid lines only (an invalid way's stale tag decides nothing), so they are too.
/// </summary>
internal static class DeclaredFields
{
    public static void AssertEqual(object original, object loaded, params string[] derived)
    {
        Compare(original, loaded, original.GetType().Name, [.. derived, "_tags", "_lastUse"], []);
    }

    private static void Compare(object a, object b, string path, HashSet<string> derived, HashSet<object> seen)
    {
        if (!seen.Add(a))
        {
            return;
        }

        for (var type = a.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            {
                if (derived.Contains(f.Name))
                {
                    continue;
                }

                object? x = f.GetValue(a), y = f.GetValue(b);
                string where = $"{path}.{f.Name}";
                var t = f.FieldType;
                if (t.IsPrimitive || t.IsEnum)
                {
                    Assert.True(Equals(x, y), $"{where}: {x} before, {y} after the round trip (left out of the declaration?)");
                }
                else if (t.IsArray && t.GetElementType()!.IsPrimitive)
                {
                    Assert.True(StructuralComparisons.StructuralEqualityComparer.Equals(x, y), $"{where}: arrays differ after the round trip");
                }
                else if (x is IStateful && y is not null)
                {
                    Compare(x, y, where, derived, seen);
                }
            }
        }
    }
}
