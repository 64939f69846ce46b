using Disco.Actors.Engine.Configuration;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Machine;

public class MachineConfigTests
{
    private static MachineParams Read(params string[] sets)
    {
        string defaults = File.ReadAllText(Path.Combine(Repo.Root, "config", "akka.hocon"));
        var config = SimConfig.Load(defaults, "akka.hocon", null, null, sets.Select(s => ConfigOverride.FromSet(s)));
        return MachineConfig.ReadMachine(config);
    }

    [Fact]
    public void The_default_memory_split_adds_up_to_the_papers_local_miss()
    {
        var p = Read();
        Assert.Equal(125_000, p.MemoryLatencyPs);
        Assert.Equal(25_000, p.MemoryLinkLatencyPs);
        Assert.Equal(75_000, p.MemoryAccessLatencyPs);
        Assert.Equal(300_000, p.LocalMissLatencyPs);
    }

    [Theory]
    [InlineData("memory.link-latency")]
    [InlineData("memory.access-latency")]
    public void A_memory_latency_of_zero_is_refused_naming_its_key(string key)
    {
        var e = Assert.Throws<BadInputException>(() => Read($"machine.{key}=0ns"));
        Assert.Contains($"machine.{key}: must be positive", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
