using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Memory;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Hardware.Machine;

/// <summary>Registers every hardware message with a model's catalog.</summary>
public static class HardwareMessages
{
    public static MessageCatalog Register(MessageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog
            .Register<ReadRequest>(HardwareMessageKinds.ReadRequest)
            .Register<ReadExclusiveRequest>(HardwareMessageKinds.ReadExclusiveRequest)
            .Register<WritebackRequest>(HardwareMessageKinds.WritebackRequest)
            .Register<DataReply>(HardwareMessageKinds.DataReply)
            .Register<Invalidate>(HardwareMessageKinds.Invalidate)
            .Register<InvalidateAck>(HardwareMessageKinds.InvalidateAck)
            .Register<Forward>(HardwareMessageKinds.Forward)
            .Register<ForwardReply>(HardwareMessageKinds.ForwardReply)
            .Register<HotPageInterrupt>(HardwareMessageKinds.HotPageInterrupt)
            .Register<DmaRequest>(HardwareMessageKinds.DmaRequest)
            .Register<DmaDone>(HardwareMessageKinds.DmaDone)
            .Register<MemoryRead>(HardwareMessageKinds.MemoryRead)
            .Register<MemoryData>(HardwareMessageKinds.MemoryData)
            .Register<MemoryWrite>(HardwareMessageKinds.MemoryWrite)
            .Register<MemoryFence>(HardwareMessageKinds.MemoryFence)
            .Register<MemoryFenceDone>(HardwareMessageKinds.MemoryFenceDone)
            .Register<DiskRequest>(HardwareMessageKinds.DiskRequest)
            .Register<DiskComplete>(HardwareMessageKinds.DiskComplete)
            .Register<DiskTransferDone>(HardwareMessageKinds.DiskTransferDone)
            .Register<BurstEnd>(HardwareMessageKinds.BurstEnd)
            .Register<SpinCheck>(HardwareMessageKinds.SpinCheck);
    }
}
