using Disco.Actors.Hardware.Tlb;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Tlb;

public class SoftwareTlbTests
{
    [Fact]
    public void An_entry_maps_an_even_odd_pair_of_pages_in_one_address_space()
    {
        var tlb = new SoftwareTlb(64);
        int hint = 0;
        Assert.Equal(SoftwareTlb.Miss, tlb.Translate(0x5123, asid: 1, store: false, ref hint));
        tlb.Write(new TlbEntry(TlbEntry.PairOf(0x5123), 1, EvenPage: 40, EvenWritable: true, OddPage: 77, OddWritable: false), 0);
        Assert.Equal((40L << 12) | 0x123, tlb.Translate(0x4123, 1, false, ref hint));
        Assert.Equal((77L << 12) | 0x123, tlb.Translate(0x5123, 1, false, ref hint));
        Assert.Equal(SoftwareTlb.ReadOnly, tlb.Translate(0x5123, 1, store: true, ref hint));
        Assert.Equal(SoftwareTlb.Miss, tlb.Translate(0x5123, asid: 2, store: false, ref hint));
    }

    [Fact]
    public void A_refill_of_the_other_half_overwrites_its_entry_and_new_pairs_go_to_the_random_index()
    {
        var tlb = new SoftwareTlb(4);
        int hint = 0;
        Assert.Equal(2, tlb.Write(new TlbEntry(3, 0, 10, true, -1, true), randomTick: 6));
        Assert.Equal(SoftwareTlb.Miss, tlb.Translate((3 << 13) | 0x1000, 0, false, ref hint));
        Assert.Equal(2, tlb.Write(new TlbEntry(3, 0, 10, true, 11, true), randomTick: 1));
        Assert.Equal(1, tlb.ValidEntries);
        Assert.Equal(1, tlb.Write(new TlbEntry(9, 0, 12, true, 13, true), randomTick: 5));
        Assert.True(tlb.Invalidate(3, 0));
        Assert.Equal(1, tlb.ValidEntries);
        tlb.FlushAsid(0);
        Assert.Equal(0, tlb.ValidEntries);
    }

    [Fact]
    public void A_used_tlb_saves_loads_and_saves_the_same_bytes_and_translates_alike()
    {
        var random = new Random(12);
        var tlb = new SoftwareTlb(16);
        for (int i = 0; i < 200; i++)
        {
            tlb.Write(new TlbEntry(random.Next(40), random.Next(4), random.Next(1000), random.Next(2) == 0, random.Next(2) == 0 ? -1 : random.Next(1000), true), randomTick: random.Next());
            if (i % 7 == 0)
            {
                tlb.Invalidate(random.Next(40), random.Next(4));
            }
        }

        var fresh = new SoftwareTlb(16);
        Machine.StateRoundTrip.AssertSameBytes(tlb, fresh);
        Assert.Empty(StateCoverage.Compare(tlb, fresh));
        Assert.Equal(tlb.Contents(), fresh.Contents());
        for (long va = 0; va < 40L << 13; va += 0x800)
        {
            int h1 = 0, h2 = 0;
            Assert.Equal(tlb.Translate(va, (int)(va % 4), store: va % 3 == 0, ref h1), fresh.Translate(va, (int)(va % 4), store: va % 3 == 0, ref h2));
        }
    }

    [Fact]
    public void A_tlb_image_of_another_size_is_refused()
    {
        var tlb = new SoftwareTlb(8);
        tlb.Write(new TlbEntry(1, 1, 2, true, 3, true), 0);
        Assert.Throws<Engine.State.CorruptStateException>(() => Machine.StateRoundTrip.Load(new SoftwareTlb(16), Machine.StateRoundTrip.Save(tlb)));
    }
}
