using TceVerify.Impl.Platform;
using TceVerify.TestKit;
using Xunit;

namespace TceVerify.Tests.Unit;

/// <summary>Bitmap operations against a naive bool[] model, on sizes around the 64-bit word boundaries.</summary>
public sealed class BitmapTests
{
    static readonly int[] Sizes = [1, 2, 63, 64, 65, 127, 128, 129, 200];

    [Fact]
    [Spec("TBL-1", "TBL-9")]
    public void Bitmap_matches_a_naive_model()
    {
        var rng = new Random(20121123);
        foreach (int size in Sizes)
        {
            Assert.Equal((size + 63) / 64, Bitmap.Words(size));
            var map = new ulong[Bitmap.Words(size)];
            var model = new bool[size];
            for (int step = 0; step < 400; step++)
            {
                long a = rng.Next(size + 1), b = rng.Next(size + 1);
                long from = Math.Min(a, b), end = Math.Max(a, b);
                long i = rng.Next(size);
                switch (rng.Next(5))
                {
                    case 0: Bitmap.Set(map, i); model[i] = true; break;
                    case 1: Bitmap.Clear(map, i); model[i] = false; break;
                    case 2: Bitmap.SetRange(map, from, end); for (long j = from; j < end; j++) model[j] = true; break;
                    case 3: Bitmap.ClearRange(map, from, end); for (long j = from; j < end; j++) model[j] = false; break;
                    default: break;
                }
                for (long j = 0; j < size; j++) Assert.Equal(model[j], Bitmap.Test(map, j));
                Assert.Equal(NaiveNext(model, from, end, true), Bitmap.NextSet(map, from, end));
                Assert.Equal(NaiveNext(model, from, end, false), Bitmap.NextClear(map, from, end));
                Assert.Equal(NaiveNext(model, from, end, true) < end, Bitmap.AnySet(map, from, end));
                long n = rng.Next(1, Math.Min(size, 70) + 1);
                Assert.Equal(NaiveRun(model, n), Bitmap.FindClearRun(map, size, n));
                Assert.Equal(NaiveRanges(model, 1000), Bitmap.Ranges(map, size, 1000));
                // Bits past the size stay clear (no range operation spills into the word's tail).
                for (long j = size; j < map.Length * 64L; j++) Assert.False(Bitmap.Test(map, j), $"bit {j} of {size}");
            }
        }
    }

    [Fact]
    [Spec("TBL-1")]
    public void Setting_a_set_bit_keeps_it_and_clearing_touches_one_bit()
    {
        var map = new ulong[3];
        Bitmap.Set(map, 70);
        Bitmap.Set(map, 70);
        Assert.True(Bitmap.Test(map, 70));
        Bitmap.SetRange(map, 60, 140);
        Bitmap.SetRange(map, 60, 140);
        Assert.True(Bitmap.Test(map, 100));
        Bitmap.Clear(map, 65);
        Assert.False(Bitmap.Test(map, 65));
        Assert.True(Bitmap.Test(map, 64) && Bitmap.Test(map, 66));
        Bitmap.ClearRange(map, 80, 80);
        Assert.True(Bitmap.Test(map, 80));
        Assert.Equal(-1, Bitmap.FindClearRun(map, 140, 80));
    }

    static long NaiveNext(bool[] m, long from, long end, bool value)
    {
        for (long j = from; j < end; j++) if (m[j] == value) return j;
        return end;
    }

    static long NaiveRun(bool[] m, long n)
    {
        for (long s = 0; s + n <= m.Length; s++)
        {
            bool free = true;
            for (long j = s; j < s + n && free; j++) free = !m[j];
            if (free) return s;
        }
        return -1;
    }

    static List<(long, long)> NaiveRanges(bool[] m, long bias)
    {
        var r = new List<(long, long)>();
        for (long j = 0; j < m.Length; j++)
        {
            if (!m[j]) continue;
            long s = j;
            while (j + 1 < m.Length && m[j + 1]) j++;
            r.Add((s + bias, j + bias));
        }
        return r;
    }
}
