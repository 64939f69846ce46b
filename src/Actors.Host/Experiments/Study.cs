namespace Disco.Actors.Host.Experiments;

/// <summary>One study of an experiment and the folder its runs, results.csv, figures and REPORT.md go to.</summary>
internal sealed record Study(ExperimentFile File, string Folder)
{
    public string Name => File.Name;
}
