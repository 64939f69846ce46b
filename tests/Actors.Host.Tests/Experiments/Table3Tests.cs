using Disco.Actors.Host.Experiments;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>Table 3 computed from results.csv columns: rates per simulated second and average costs in µs.</summary>
public class Table3Tests
{
    [Fact]
    public void Each_action_has_its_count_rate_and_average_costs_and_the_interrupts_their_rate()
    {
        string path = Path.Combine(Repo.TempDir("table3"), ResultsTable.FileName);
        File.WriteAllLines(path,
        [
            "config,group,label,repetition,sim_time_ps,numa.interrupts,numa.interrupt_policy_ps_average,migrations,replications,numa.migrations.shootdown_ps_average,numa.migrations.copy_ps_average,numa.replications.shootdown_ps_average,numa.replications.copy_ps_average",
            "eng-irix,engineering,IRIX,1,500000000000,0,0,0,0,0,0,0,0",
            "eng-disco,engineering,Disco,1,500000000000,2000,2500000,300,40,4000000,30000000,6000000,31000000",
        ]);

        string table = StudyTables.Table3(ResultsTable.Read(path));

        Assert.Contains("| engineering Disco (`eng-disco`) | 4000 | 2.5 | migration | 300 | 600.0 | 4.0 | 30.0 |", table, StringComparison.Ordinal);
        Assert.Contains("| engineering Disco (`eng-disco`) | 4000 | 2.5 | replication | 40 | 80.0 | 6.0 | 31.0 |", table, StringComparison.Ordinal);
        Assert.Contains("| engineering IRIX (`eng-irix`) | 0 | 0.0 | migration | 0 | 0.0 | 0.0 | 0.0 |", table, StringComparison.Ordinal);
    }
}
