using Akka.Configuration;

namespace Disco.Actors.Engine.Configuration;

/// <summary>How HOCON names our types: serializer bindings and executor classes.</summary>
public static class AkkaTypes
{
    /// <summary>"Namespace.Type, Assembly": what Akka resolves, without the version that would change every build.</summary>
    public static string Name(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.AssemblyQualifiedName!.Split(", Version", 2)[0];
    }

    /// <summary>Binds every message implementing <paramref name="marker"/> to <paramref name="serializer"/>, registered as <paramref name="name"/>.</summary>
    public static Config SerializerBinding(string name, Type serializer, Type marker) =>
        ConfigurationFactory.ParseString(
            "akka.actor {\n" +
            $"  serializers {{ {name} = \"{Name(serializer)}\" }}\n" +
            $"  serialization-bindings {{ \"{Name(marker)}\" = {name} }}\n" +
            "}\n");
}
