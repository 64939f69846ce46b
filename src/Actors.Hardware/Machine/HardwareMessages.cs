using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Hardware.Machine;

/// <summary>Registers every hardware message with a model's catalog.</summary>
public static class HardwareMessages
{
    public static MessageCatalog Register(MessageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog
            .Register<ReadRequest>(HardwareMessageKinds.ReadRequest, ReadRequest.Read)
            .Register<ReadExclusiveRequest>(HardwareMessageKinds.ReadExclusiveRequest, ReadExclusiveRequest.Read)
            .Register<WritebackRequest>(HardwareMessageKinds.WritebackRequest, WritebackRequest.Read)
            .Register<DataReply>(HardwareMessageKinds.DataReply, DataReply.Read)
            .Register<Invalidate>(HardwareMessageKinds.Invalidate, Invalidate.Read)
            .Register<InvalidateAck>(HardwareMessageKinds.InvalidateAck, InvalidateAck.Read)
            .Register<Forward>(HardwareMessageKinds.Forward, Forward.Read)
            .Register<ForwardReply>(HardwareMessageKinds.ForwardReply, ForwardReply.Read)
            .Register<HotPageInterrupt>(HardwareMessageKinds.HotPageInterrupt, HotPageInterrupt.Read)
            .Register<DmaRequest>(HardwareMessageKinds.DmaRequest, DmaRequest.Read)
            .Register<DmaDone>(HardwareMessageKinds.DmaDone, DmaDone.Read)
            .Register<DiskRequest>(HardwareMessageKinds.DiskRequest, DiskRequest.Read)
            .Register<DiskComplete>(HardwareMessageKinds.DiskComplete, DiskComplete.Read)
            .Register<DiskTransferDone>(HardwareMessageKinds.DiskTransferDone, DiskTransferDone.Read)
            .Register<BurstEnd>(HardwareMessageKinds.BurstEnd, BurstEnd.Read);
    }
}
