using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.State;

/// <summary>The range a whole-number field of a message or typed id must lie in when it is read back.</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class BoundsAttribute(long min, long max) : Attribute
{
    public long Min { get; } = min;

    public long Max { get; } = max;
}

/// <summary>The most items an array field of a message may hold when it is read back (default <see cref="RecordCodec.DefaultMaxCount"/>).</summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class MaxCountAttribute(int max) : Attribute
{
    public int Max { get; } = max;
}

/// <summary>
/// Writes and reads a message record by its primary constructor, so a message lists its fields once (in its
/// declaration) instead of in a hand-written Write and Read that must agree. Fields are written in constructor order;
/// supported field types: whole numbers, <c>bool</c>, <c>double</c>, <c>string</c>, enums, <c>long[]</c>/<c>int[]</c>,
/// record structs made of those (typed ids, recursively), arrays of them and nullable ones (a flag, then the value).
/// A field's <see cref="BoundsAttribute"/> (on the message's or the typed id's constructor parameter; on a parameter
/// whose type is a one-field typed id, it narrows that id's bound) is checked on reading, as is an array's
/// <see cref="MaxCountAttribute"/>: a corrupt checkpoint or batch gives a <see cref="CorruptStateException"/> naming the field.
/// </summary>
public sealed class RecordCodec
{
    public const int DefaultMaxCount = 1 << 16;

    private static readonly ConcurrentDictionary<Type, RecordCodec> Codecs = new();

    private static readonly ConcurrentDictionary<(Type Type, long Min, long Max), RecordCodec> NarrowedCodecs = new();

    private readonly Type _type;
    private readonly Func<object?[], object>? _construct;
    private readonly object? _singleton;
    private readonly Field[] _fields;

    private RecordCodec(Type type, BoundsAttribute? narrow = null)
    {
        _type = type;
        _singleton = type.GetProperty("Instance", BindingFlags.Public | BindingFlags.Static) is { } instance && instance.PropertyType == type
            ? instance.GetValue(null)
            : null;
        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => !c.GetParameters().Any(p => p.ParameterType == type))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault();
        if (constructor is null)
        {
            _fields = _singleton is not null ? [] : throw new ArgumentException($"{type.Name}: no public constructor to read it back with");
            return;
        }

        var parameters = constructor.GetParameters();
        _construct = Constructor(constructor, parameters);
        if (narrow is not null && parameters.Length != 1)
        {
            throw new ArgumentException($"{type.Name}: a bound on a field of this type needs a typed id of one field (it has {parameters.Length})");
        }

        _fields = [.. parameters.Select(p => Field.For(type, p, narrow))];
    }

    /// <summary>The codec of <paramref name="type"/>, built once.</summary>
    public static RecordCodec Of(Type type) => Codecs.GetOrAdd(type, static t => new RecordCodec(t));

    /// <summary>The codec of one-field typed id <paramref name="type"/> with its field's bound narrowed to <paramref name="bounds"/>.</summary>
    private static RecordCodec Of(Type type, BoundsAttribute? bounds) =>
        bounds is null ? Of(type) : NarrowedCodecs.GetOrAdd((type, bounds.Min, bounds.Max), static k => new RecordCodec(k.Type, new BoundsAttribute(k.Min, k.Max)));

    /// <summary>A catalog reader for message type <typeparamref name="T"/>.</summary>
    public static MessageReader ReaderOf<T>()
        where T : ISimMessage
    {
        var codec = Of(typeof(T));
        return (ref StateReader reader) => (ISimMessage)codec.Read(ref reader, typeof(T).Name);
    }

    /// <summary>Writes <paramref name="value"/>'s fields in constructor order.</summary>
    public void Write(object value, ref StateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var f in _fields)
        {
            f.Write(value, ref writer);
        }
    }

    /// <summary>Reads the fields back and constructs the value, checking every bound.</summary>
    public object Read(ref StateReader reader, string what)
    {
        if (_fields.Length == 0 && _singleton is not null)
        {
            return _singleton;
        }

        object?[] args = new object?[_fields.Length];
        try
        {
            for (int i = 0; i < _fields.Length; i++)
            {
                args[i] = _fields[i].Read(ref reader);
            }
        }
        catch (CorruptStateException ex)
        {
            // Fields read under their own names (no string built per read); the path is prefixed only on failure.
            throw new CorruptStateException($"{what}.{ex.Message}", ex);
        }

        try
        {
            return _construct!(args);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new CorruptStateException($"{what}: {ex.Message}", ex);
        }
    }

    /// <summary>The constructor compiled to a delegate (reflection's Invoke costs more than the fields' reading).</summary>
    private static Func<object?[], object> Constructor(ConstructorInfo constructor, ParameterInfo[] parameters)
    {
        var args = Expression.Parameter(typeof(object?[]));
        var values = parameters.Select((p, i) => Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(i)), p.ParameterType));
        return Expression.Lambda<Func<object?[], object>>(Expression.Convert(Expression.New(constructor, values), typeof(object)), args).Compile();
    }

    public override string ToString() => $"codec of {_type.Name} ({_fields.Length} fields)";

    private abstract class Field(string name)
    {
        protected string Name { get; } = name;

        public static Field For(Type owner, ParameterInfo parameter, BoundsAttribute? narrow)
        {
            string name = parameter.Name ?? throw new ArgumentException($"{owner.Name}: unnamed constructor parameter");
            var property = owner.GetProperty(name, BindingFlags.Public | BindingFlags.Instance)
                ?? throw new ArgumentException($"{owner.Name}: constructor parameter {name} has no property of that name (not a record?)");
            var get = Getter(owner, property);
            var bounds = Intersect(parameter.GetCustomAttribute<BoundsAttribute>(), narrow);
            int maxCount = parameter.GetCustomAttribute<MaxCountAttribute>()?.Max ?? DefaultMaxCount;
            return ValueField(name, parameter.ParameterType, get, bounds, maxCount);
        }

        private static Field ValueField(string name, Type type, Func<object, object?> get, BoundsAttribute? bounds, int maxCount)
        {
            long min = bounds?.Min ?? long.MinValue, max = bounds?.Max ?? long.MaxValue;
            if (type.IsEnum)
            {
                return new EnumField(name, type, get);
            }

            if (Nullable.GetUnderlyingType(type) is { } inner)
            {
                // The inner field reads the (boxed) value itself: a null box stands for no value.
                return new NullableField(name, get, ValueField(name, inner, static v => v, bounds, maxCount));
            }

            return type switch
            {
                _ when type == typeof(long) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((long)v!), (ref StateReader r, string n) => r.ReadLong(n, min, max)),
                _ when type == typeof(int) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((int)v!), (ref StateReader r, string n) => (int)r.ReadLong(n, Math.Max(min, int.MinValue), Math.Min(max, int.MaxValue))),
                _ when type == typeof(byte) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((int)(byte)v!), (ref StateReader r, string n) => (byte)r.ReadLong(n, Math.Max(min, 0), Math.Min(max, byte.MaxValue))),
                _ when type == typeof(ulong) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((ulong)v!), (ref StateReader r, string n) => r.ReadULong(n)),
                _ when type == typeof(bool) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((bool)v!), (ref StateReader r, string n) => r.ReadBool(n)),
                _ when type == typeof(double) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((double)v!), (ref StateReader r, string n) => r.ReadDouble(n)),
                _ when type == typeof(string) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write((string?)v), (ref StateReader r, string n) => r.ReadString(n)),
                _ when type == typeof(long[]) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write(((long[])v!).AsSpan()), (ref StateReader r, string n) => CheckAll(r.ReadLongArray(n, maxCount), n, min, max)),
                _ when type == typeof(int[]) => new Scalar(name, get, (ref StateWriter w, object? v) => w.Write(((int[])v!).AsSpan()), (ref StateReader r, string n) => r.ReadIntArray(n, maxCount)),
                _ when type.IsArray && type.GetElementType()!.IsValueType => new ArrayField(name, type.GetElementType()!, get, maxCount, bounds),
                _ when type.IsValueType => new Nested(name, type, get, bounds),
                _ => throw new ArgumentException($"field {name}: {type.Name} is not a type a message may carry"),
            };
        }

        private static BoundsAttribute? Intersect(BoundsAttribute? own, BoundsAttribute? narrow) =>
            own is null ? narrow
            : narrow is null ? own
            : new BoundsAttribute(Math.Max(own.Min, narrow.Min), Math.Min(own.Max, narrow.Max));

        private static long[] CheckAll(long[] values, string name, long min, long max)
        {
            foreach (long v in values)
            {
                if (v < min || v > max)
                {
                    throw new CorruptStateException($"{name}: {v} outside [{min}, {max}]");
                }
            }

            return values;
        }

        private static Func<object, object?> Getter(Type owner, PropertyInfo property)
        {
            var instance = Expression.Parameter(typeof(object));
            var body = Expression.Convert(Expression.Property(Expression.Convert(instance, owner), property), typeof(object));
            return Expression.Lambda<Func<object, object?>>(body, instance).Compile();
        }

        public abstract void Write(object owner, ref StateWriter writer);

        public abstract object? Read(ref StateReader reader);

        protected delegate void WriteValue(ref StateWriter writer, object? value);

        protected delegate object? ReadValue(ref StateReader reader, string name);

        private sealed class Scalar(string name, Func<object, object?> get, WriteValue write, ReadValue read) : Field(name)
        {
            public override void Write(object owner, ref StateWriter writer) => write(ref writer, get(owner));

            public override object? Read(ref StateReader reader) => read(ref reader, Name);
        }

        private sealed class EnumField(string name, Type type, Func<object, object?> get) : Field(name)
        {
            public override void Write(object owner, ref StateWriter writer) => writer.Write(Convert.ToInt64(get(owner), System.Globalization.CultureInfo.InvariantCulture));

            public override object? Read(ref StateReader reader)
            {
                long raw = reader.ReadLong(Name);
                object value = Enum.ToObject(type, raw);
                return Enum.IsDefined(type, value) ? value : throw new CorruptStateException($"{Name}: {raw} is not a {type.Name}");
            }
        }

        private sealed class NullableField(string name, Func<object, object?> get, Field value) : Field(name)
        {
            public override void Write(object owner, ref StateWriter writer)
            {
                object? v = get(owner);
                writer.Write(v is not null);
                if (v is not null)
                {
                    value.Write(v, ref writer);
                }
            }

            private readonly string _present = name + " present";

            public override object? Read(ref StateReader reader) => reader.ReadBool(_present) ? value.Read(ref reader) : null;
        }

        private sealed class Nested(string name, Type type, Func<object, object?> get, BoundsAttribute? bounds) : Field(name)
        {
            private readonly RecordCodec _codec = Of(type, bounds);

            public override void Write(object owner, ref StateWriter writer) => _codec.Write(get(owner)!, ref writer);

            public override object? Read(ref StateReader reader) => _codec.Read(ref reader, Name);
        }

        private sealed class ArrayField(string name, Type element, Func<object, object?> get, int maxCount, BoundsAttribute? bounds) : Field(name)
        {
            private readonly RecordCodec _codec = Of(element, bounds);

            public override void Write(object owner, ref StateWriter writer)
            {
                var items = (Array)get(owner)!;
                writer.WriteCount(items.Length);
                foreach (object? item in items)
                {
                    _codec.Write(item!, ref writer);
                }
            }

            public override object? Read(ref StateReader reader)
            {
                int count = reader.ReadCount(Name, maxCount);
                var items = Array.CreateInstance(element, count);
                for (int i = 0; i < count; i++)
                {
                    items.SetValue(_codec.Read(ref reader, Name), i);
                }

                return items;
            }
        }
    }
}
