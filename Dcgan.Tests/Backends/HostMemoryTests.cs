// The CPU backends' released arrays are collected once enough of them pile up: a training loop that switches batch
// sizes allocates only then, so without it no collection would ever come and the process would keep growing.
namespace Dcgan.Tests.Backends;

using Dcgan.Backends.Cpu;

public sealed class HostMemoryTests
{
    private const long MB = 1L << 20;

    [Fact]
    public void Releasing_more_than_64_MB_and_half_of_what_is_held_collects_and_starts_counting_again()
    {
        var memory = new HostMemory();
        memory.Allocated(1024 * MB);
        Assert.False(memory.Released(100 * MB)); // 100 released, 924 held
        Assert.False(memory.Released(200 * MB)); // 300 released, 724 held: not over half
        Assert.True(memory.Released(200 * MB)); // 500 released, 524 held: over half
        Assert.False(memory.Released(50 * MB)); // counting again: 50, under 64 MB
        Assert.True(memory.Released(200 * MB)); // 250 released, 274 held: over half and over 64 MB

        var small = new HostMemory();
        small.Allocated(10 * MB);
        Assert.False(small.Released(10 * MB)); // all of it, but only 10 MB: not worth a collection
        small.Allocated(100 * MB);
        Assert.True(small.Released(60 * MB)); // 70 MB released over 40 MB held
    }
}
