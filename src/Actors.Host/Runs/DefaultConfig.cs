using System.Reflection;

namespace Disco.Actors.Host.Runs;

/// <summary>The defaults of every key: <c>config/akka.hocon</c>, embedded in the binary at build time.</summary>
internal static class DefaultConfig
{
    public const string Name = "config/akka.hocon";

    public static string Text { get; } = Read();

    private static string Read()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("disco.akka.hocon")
            ?? throw new InvalidOperationException("config/akka.hocon is not embedded in the disco binary");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
