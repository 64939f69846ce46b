namespace Disco.Actors.Testing;

/// <summary>Paths inside the repository, found from the test binary's folder (tests never reach outside it).</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Scenario(string name) => Path.Combine(Root, "scenarios", name);

    /// <summary>A fresh, empty temporary folder for one test.</summary>
    public static string TempDir(string prefix)
    {
        string dir = Path.Combine(Path.GetTempPath(), "disco-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Disco.Actors.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Disco.Actors.sln above " + AppContext.BaseDirectory);
    }
}
