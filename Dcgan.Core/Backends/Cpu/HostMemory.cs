// Host tensors are plain arrays that the garbage collector reclaims. A steady training step allocates nothing, so no
// collection comes by itself: a network switched between batch sizes (a sample grid each epoch) would grow the
// process by its released workspaces every time. The backends count what they hand out and take back, and collect
// once the released memory passes 64 MB or half of what is still held, whichever is more.
namespace Dcgan.Backends.Cpu;

/// <summary>Counts a host backend's array bytes and collects garbage when enough of them were released.</summary>
internal sealed class HostMemory
{
    private const long CollectAfterBytes = 64L << 20;

    private long _heldBytes;
    private long _releasedBytes;

    /// <summary>Records <paramref name="bytes"/> handed out in a new tensor.</summary>
    public void Allocated(long bytes) => Interlocked.Add(ref _heldBytes, bytes);

    /// <summary>Records <paramref name="bytes"/> taken back, and collects when the released total is large enough.</summary>
    /// <returns>Whether it collected.</returns>
    public bool Released(long bytes)
    {
        long held = Interlocked.Add(ref _heldBytes, -bytes);
        if (Interlocked.Add(ref _releasedBytes, bytes) <= Math.Max(CollectAfterBytes, held / 2))
        {
            return false;
        }

        Interlocked.Exchange(ref _releasedBytes, 0);
        GC.Collect();
        return true;
    }
}
