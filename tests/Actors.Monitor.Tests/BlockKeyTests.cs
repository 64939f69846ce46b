using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Tests;

public class BlockKeyTests
{
    private static readonly BlockKey[] Keys =
    [
        new(0, 0), new(0, 1), new(0, GuestFiles.MaxBlocks), new(1, 0), new(7, 3), new(GuestFiles.SharedFile, 12),
        BlockKey.Inode(GuestFiles.Program(3)), new(GuestFiles.Output(250), GuestFiles.MaxBlocks - 1),
    ];

    [Fact]
    public void Block_keys_sort_as_their_encoded_numbers_do()
    {
        // The buffer cache iterates in key order and forms disk requests from runs: the order of the packed ids it replaced.
        var byKey = Keys.Order().ToArray();
        var byNumber = Keys.OrderBy(k => k.Encode()).ToArray();
        Assert.Equal(byNumber, byKey);
    }

    [Fact]
    public void A_block_key_survives_its_encoding()
    {
        foreach (var key in Keys)
        {
            Assert.Equal(key, BlockKey.Decode(key.Encode()));
        }
    }

    [Fact]
    public void A_privileged_value_and_a_tlb_target_survive_their_encoding()
    {
        var read = new PrivilegedValue((int)Syscall.Read, new BlockKey(GuestFiles.Output(9), 40).Encode());
        Assert.Equal(read, PrivilegedValue.Decode(read.Encode()));
        var write = new TlbWriteTarget(GuestLayout.MaxProcesses, 0x7FFFF);
        Assert.Equal(write, TlbWriteTarget.Decode(write.Encode()));
        var (code, argument) = GuestPrivilegedOps.Decode(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, write.Encode()));
        Assert.Equal((GuestPrivileged.TlbWrite, write.Encode()), (code, argument));
    }
}
