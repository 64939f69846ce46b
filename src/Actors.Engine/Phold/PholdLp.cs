using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Phold;

/// <summary>
/// A PHOLD logical process: on every event, send one new event at now + L + Exp(M) to a uniformly chosen other LP
/// with probability R, else to itself.
/// </summary>
public sealed class PholdLp : Component
{
    public const string KindName = "phold.lp";

    private readonly PholdParams _params;
    private readonly long _lookaheadPs;

    public PholdLp(ComponentId id, PholdParams parameters)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _params = parameters;
        _lookaheadPs = parameters.LookaheadTime.Ps;
    }

    public override string Kind => KindName;

    /// <summary>Events sent to another LP (the rest went to this one).</summary>
    private long _remoteSends;

    public long RemoteSends => _remoteSends;

    public override void Start(IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (int i = 0; i < _params.Population; i++)
        {
            context.Send(Id, new SimTime(_params.ExponentialPartPs(Random.NextExponentialPs(_params.MeanPs))), PholdEvent.Instance);
        }
    }

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = Id;
        if (_params.Lps > 1 && Random.NextDouble() < _params.Remote)
        {
            // Uniform over the N-1 others: draw from N-1 and skip over ourselves.
            int other = Random.NextInt(_params.Lps - 1);
            target = new ComponentId(other >= Id.Value ? other + 1 : other);
            _remoteSends++;
        }

        long delay = _lookaheadPs + _params.ExponentialPartPs(Random.NextExponentialPs(_params.MeanPs));
        context.Send(target, new SimTime(delay), PholdEvent.Instance);
    }

    public override void DeclareState(ref StateIo io) => io.Counter("phold.remote_sends", ref _remoteSends);
}
