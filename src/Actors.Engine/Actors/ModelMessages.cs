using Akka.Actor;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// The message catalog of the model an actor system runs, for the serializer of batches between processes. Set
/// once per system by the host when it has built the model (<c>ModelMessages.For(system).Catalog = model.Messages</c>).
/// </summary>
public sealed class ModelMessages : IExtension
{
    private MessageCatalog? _catalog;

    public MessageCatalog Catalog
    {
        get => _catalog ?? throw new InvalidOperationException("no model is registered with this actor system: cannot read simulation messages");
        set => _catalog = value;
    }

    public static ModelMessages For(ActorSystem system) => system.WithExtension<ModelMessages, ModelMessagesProvider>();
}

public sealed class ModelMessagesProvider : ExtensionIdProvider<ModelMessages>
{
    public override ModelMessages CreateExtension(ExtendedActorSystem system) => new();
}
