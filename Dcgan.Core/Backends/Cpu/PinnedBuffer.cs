// Scratch memory for the CPU kernels: a pinned, 64-byte aligned float array that only grows, so a training
// step reuses the same buffers and allocates nothing once its largest layer has run.
namespace Dcgan.Backends.Cpu;

/// <summary>A grow-only pinned float buffer with a stable, 64-byte aligned pointer.</summary>
internal sealed unsafe class PinnedBuffer
{
    private float[] _array = [];

    /// <summary>The aligned start of the buffer (null until the first <see cref="Ensure"/>).</summary>
    public float* Pointer { get; private set; }

    /// <summary>Usable floats from <see cref="Pointer"/>.</summary>
    public long Capacity { get; private set; }

    /// <summary>Returns a pointer to at least <paramref name="count"/> floats; contents are kept only while no growth happens.</summary>
    /// <exception cref="OutOfMemoryException">More than 2^31 floats requested.</exception>
    public float* Ensure(long count)
    {
        if (count > Capacity)
        {
            long size = Math.Max(count, Capacity + (Capacity / 4)) + 16;
            if (size > Array.MaxLength)
            {
                throw new OutOfMemoryException($"A CPU kernel asked for {count} floats of scratch memory.");
            }

            _array = GC.AllocateUninitializedArray<float>((int)size, pinned: true);
            fixed (float* p = _array)
            {
                Pointer = (float*)(((nint)p + 63) & ~(nint)63);
            }

            Capacity = size - 16;
        }

        return Pointer;
    }
}

/// <summary>A grow-only pinned array of <see cref="Segment"/>s.</summary>
internal sealed unsafe class SegmentBuffer
{
    private Segment[] _array = [];

    /// <summary>The start of the buffer.</summary>
    public Segment* Pointer { get; private set; }

    /// <summary>Returns a pointer to at least <paramref name="count"/> segments.</summary>
    public Segment* Ensure(int count)
    {
        if (count > _array.Length)
        {
            _array = GC.AllocateArray<Segment>(Math.Max(count, 64), pinned: true);
            fixed (Segment* p = _array)
            {
                Pointer = p;
            }
        }

        return Pointer;
    }
}
