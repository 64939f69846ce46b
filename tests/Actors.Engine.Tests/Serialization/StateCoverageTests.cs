using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Serialization;

public class StateCoverageTests
{
    /// <summary>Counts its messages, but its declaration forgets the second counter.</summary>
    private sealed class Forgetful(ComponentId id) : Component(id)
    {
        private long _seen;
        private long _forgotten;

        public override string Kind => "test.forgetful";

        public override void Start(IContext context) => context.Send(Id, new SimTime(1), PholdEvent.Instance);

        public override void Handle(ISimMessage message, IContext context)
        {
            _seen++;
            _forgotten += 2;
            context.Send(Id, new SimTime(10), PholdEvent.Instance);
        }

        public override void DeclareState(ref StateIo io) => io.Counter("seen", ref _seen);
    }

    [Fact]
    public void Phold_declares_every_field_that_changes() =>
        Assert.Empty(StateCoverage.Differences(() => PholdModel.Build(new PholdParams(Lps: 16, Population: 4, End: 30), seed: 5)));

    [Fact]
    public void A_field_left_out_of_the_declaration_is_named()
    {
        static SimulationModel Build() =>
            new("forgetful", [new Forgetful(new ComponentId(0))], new LinkTable(1, new SimTime(1)), new SimTime(1000), 1, new MessageCatalog().Register<PholdEvent>(PholdEvent.KindCode));
        var differences = StateCoverage.Differences(Build);
        Assert.Equal(["test.forgetful#0._forgotten: 200 vs 0"], differences);
    }
}
