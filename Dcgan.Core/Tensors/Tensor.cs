// A float32 tensor: a view (offset + shape) into storage owned by a backend.
namespace Dcgan.Tensors;

using System.Buffers;
using System.Numerics.Tensors;
using Dcgan.Backends;

/// <summary>
/// A contiguous row-major float32 tensor (NCHW for images) whose memory belongs to an
/// <see cref="IBackend"/>. A tensor made by <see cref="IBackend.Allocate"/> owns its memory and
/// frees it on <see cref="Dispose"/>; a view made by <see cref="Reshape"/> or <see cref="Slice"/>
/// shares it and never frees it.
/// </summary>
/// <remarks>
/// <see cref="CopyFrom(in ReadOnlyTensorSpan{float})"/>, <see cref="CopyTo(in TensorSpan{float})"/> and
/// <see cref="ToTensor"/> exchange data with <c>System.Numerics.Tensors</c>. That namespace also has a
/// (static) class named <c>Tensor</c>, so a file that imports both namespaces and names this type writes
/// <c>using Tensor = Dcgan.Tensors.Tensor;</c>: the alias wins over both imports, and
/// <c>Tensor&lt;float&gt;</c>, <c>TensorSpan&lt;float&gt;</c> keep their meaning (only the factory
/// <c>System.Numerics.Tensors.Tensor.Create</c> then needs its full name).
/// </remarks>
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

    /// <summary>
    /// Copies a <c>System.Numerics.Tensors</c> tensor span into this tensor (also takes a
    /// <see cref="Tensor{T}"/> or <see cref="TensorSpan{T}"/> through their implicit conversions).
    /// Strided sources (slices, transposes, broadcasts) are read in row-major order of their lengths.
    /// </summary>
    /// <param name="source">Lengths equal to <see cref="Shape"/>; a tensor of shape <c>[]</c> takes lengths
    /// <c>[1]</c>, as <c>System.Numerics.Tensors</c> has no rank 0.</param>
    /// <exception cref="ArgumentException">The source's lengths differ from <see cref="Shape"/> (the message names both).</exception>
    /// <exception cref="ObjectDisposedException">This tensor or its backend was disposed.</exception>
    public void CopyFrom(in ReadOnlyTensorSpan<float> source)
    {
        CheckLengths(source.Lengths, nameof(source), into: true);
        if (Length == 0)
        {
            Backend.Upload([], this); // still checks that nothing was disposed
            return;
        }

        if (source.IsDense)
        {
            Backend.Upload(source.GetSpan(new nint[source.Rank], Length), this);
            return;
        }

        float[] buffer = ArrayPool<float>.Shared.Rent(Length);
        try
        {
            source.FlattenTo(buffer.AsSpan(0, Length));
            Backend.Upload(buffer.AsSpan(0, Length), this);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Copies this tensor into a <c>System.Numerics.Tensors</c> tensor span (also a <see cref="Tensor{T}"/>
    /// through its implicit conversion), writing through the destination's strides.
    /// </summary>
    /// <param name="destination">Lengths equal to <see cref="Shape"/> (<c>[1]</c> for shape <c>[]</c>); strides
    /// may be any that address each element once.</param>
    /// <exception cref="ArgumentException">The destination's lengths differ from <see cref="Shape"/> (the message
    /// names both), or a stride of 0 on a dimension longer than 1 would write several elements to one place.</exception>
    /// <exception cref="ObjectDisposedException">This tensor or its backend was disposed.</exception>
    public void CopyTo(in TensorSpan<float> destination)
    {
        CheckLengths(destination.Lengths, nameof(destination), into: false);
        if (Length == 0)
        {
            Backend.Download(this, []);
            return;
        }

        if (destination.IsDense)
        {
            Backend.Download(this, destination.GetSpan(new nint[destination.Rank], Length));
            return;
        }

        ReadOnlySpan<nint> lengths = destination.Lengths, strides = destination.Strides;
        for (int i = 0; i < lengths.Length; i++)
        {
            if (strides[i] == 0 && lengths[i] > 1)
            {
                throw new ArgumentException(
                    $"Cannot copy {this} to a tensor span with strides [{string.Join(", ", strides.ToArray())}]: a stride of 0 on dimension {i} (length {lengths[i]}) would write {lengths[i]} elements to one place.",
                    nameof(destination));
            }
        }

        float[] buffer = ArrayPool<float>.Shared.Rent(Length);
        try
        {
            Backend.Download(this, buffer.AsSpan(0, Length));
            new ReadOnlyTensorSpan<float>(buffer.AsSpan(0, Length), lengths).CopyTo(destination);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Copies this tensor to a new dense <see cref="Tensor{T}"/> of the same shape (lengths <c>[1]</c> for
    /// shape <c>[]</c>, as <c>System.Numerics.Tensors</c> has no rank 0), for use with
    /// <see cref="TensorPrimitives"/>, ML.NET or ONNX Runtime.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This tensor or its backend was disposed.</exception>
    public Tensor<float> ToTensor() => System.Numerics.Tensors.Tensor.Create(ToArray(), NumericsLengths());

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

    // System.Numerics.Tensors reads empty lengths as a rank-1 empty tensor, so a scalar travels as [1].
    private nint[] NumericsLengths()
    {
        if (Shape.Rank == 0)
        {
            return [1];
        }

        var lengths = new nint[Shape.Rank];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = Shape[i];
        }

        return lengths;
    }

    private void CheckLengths(ReadOnlySpan<nint> lengths, string paramName, bool into)
    {
        if (!lengths.SequenceEqual(NumericsLengths()))
        {
            string span = $"a tensor span of lengths [{string.Join(", ", lengths.ToArray())}]";
            throw new ArgumentException(
                $"Cannot copy {(into ? span + " into " + this : this + " into " + span)}: the lengths must equal the shape {Shape}{(Shape.Rank == 0 ? " (lengths [1] for shape [])" : string.Empty)}.",
                paramName);
        }
    }
}
