namespace Disco.Actors.Host.Experiments;

/// <summary>The figures and tables a study's file asks for, drawn from its results; each returns its REPORT.md part.</summary>
internal static class StudyOutputs
{
    public static IEnumerable<string> Write(Study study, ResultsTable results)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(results);
        return [];
    }
}
