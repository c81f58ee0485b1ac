// A float32 tensor: a view (offset + shape) into storage owned by a backend.
namespace Dcgan.Tensors;

using Dcgan.Backends;

/// <summary>
/// A contiguous row-major float32 tensor (NCHW for images) whose memory belongs to an
/// <see cref="IBackend"/>. A tensor made by <see cref="IBackend.Allocate"/> owns its memory and
/// frees it on <see cref="Dispose"/>; a view made by <see cref="Reshape"/> or <see cref="Slice"/>
/// shares it and never frees it.
/// </summary>
public sealed class Tensor : IDisposable
{
    private readonly bool _ownsStorage;
    private bool _disposed;

    /// <summary>Creates a tensor over backend storage. Backends call this; users call <see cref="IBackend.Allocate"/>.</summary>
    /// <param name="backend">The backend that owns <paramref name="storage"/>.</param>
    /// <param name="storage">Backend-specific memory (a <c>float[]</c> on the CPU, a device buffer on a GPU).</param>
    /// <param name="offset">The index of this tensor's first element in <paramref name="storage"/>.</param>
    /// <param name="shape">The tensor's shape.</param>
    /// <param name="ownsStorage">Whether <see cref="Dispose"/> releases <paramref name="storage"/>.</param>
    /// <exception cref="ArgumentNullException">A reference argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public Tensor(IBackend backend, object storage, int offset, TensorShape shape, bool ownsStorage)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Backend = backend;
        Storage = storage;
        Offset = offset;
        Shape = shape;
        _ownsStorage = ownsStorage;
    }

    /// <summary>The backend that owns this tensor's memory and runs every operation on it.</summary>
    public IBackend Backend { get; }

    /// <summary>Backend-specific memory; only the owning backend interprets it.</summary>
    public object Storage { get; }

    /// <summary>Index of the first element within <see cref="Storage"/>.</summary>
    public int Offset { get; }

    /// <summary>The tensor's dimensions.</summary>
    public TensorShape Shape { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Shape.ElementCount;

    /// <summary>Whether the tensor (or the tensor it views) was disposed.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// A view with another shape over the same elements (like <c>torch.Tensor.view</c>).
    /// One dimension may be -1 and is then inferred.
    /// </summary>
    /// <param name="dims">The new dimensions; their product must equal <see cref="Length"/>.</param>
    /// <exception cref="ArgumentException">The element counts differ, or more than one dimension is -1.</exception>
    public Tensor Reshape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        dims = (int[])dims.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"Reshape to [{string.Join(", ", dims)}]: only one dimension may be -1.", nameof(dims));
                }

                infer = i;
            }
            else
            {
                known *= dims[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
            {
                throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to [{string.Join(", ", dims)}].", nameof(dims));
            }

            dims[infer] = (int)(Length / known);
        }

        var shape = new TensorShape(dims);
        if (shape.ElementCount != Length)
        {
            throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {shape} ({shape.ElementCount} elements).", nameof(dims));
        }

        return new Tensor(Backend, Storage, Offset, shape, ownsStorage: false);
    }

    /// <summary>
    /// A view of elements [<paramref name="start"/>, <paramref name="start"/> + shape's count) of this
    /// tensor's flattened data, with the given shape.
    /// </summary>
    /// <param name="start">First element, counted in this tensor's row-major order.</param>
    /// <param name="shape">Shape of the view.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range falls outside this tensor.</exception>
    public Tensor Slice(int start, TensorShape shape)
    {
        if (start < 0 || (long)start + shape.ElementCount > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"Slice of {shape.ElementCount} elements at {start} is outside a tensor of {Length} elements.");
        }

        return new Tensor(Backend, Storage, Offset + start, shape, ownsStorage: false);
    }

    /// <summary>Copies the elements to a new host array (row-major).</summary>
    public float[] ToArray()
    {
        var result = new float[Length];
        Backend.Download(this, result);
        return result;
    }

    /// <summary>Reads a one-element tensor (for example a loss of shape <c>[]</c>).</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException($"Item() needs a one-element tensor; this one has shape {Shape}.");
        }

        Span<float> one = stackalloc float[1];
        Backend.Download(this, one);
        return one[0];
    }

    /// <summary>Copies host data (row-major, exactly <see cref="Length"/> values) into the tensor.</summary>
    /// <exception cref="ArgumentException">The span's length differs from <see cref="Length"/>.</exception>
    public void CopyFrom(ReadOnlySpan<float> data) => Backend.Upload(data, this);

    /// <summary>Releases the memory if this tensor owns it; views only mark themselves disposed.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_ownsStorage)
        {
            Backend.Release(this);
        }
    }

    /// <summary>Formats as <c>Tensor[N, C, H, W] on cpu</c>.</summary>
    public override string ToString() => $"Tensor{Shape} on {Backend.Name}";
}
