// The shape of a row-major (NCHW) tensor: up to four dimensions, a scalar has none.
namespace Dcgan.Tensors;

/// <summary>
/// The dimensions of a contiguous row-major tensor, outermost first (NCHW for images).
/// A scalar has rank 0 and one element. Immutable.
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its dimensions, outermost first.</summary>
    /// <param name="dims">Each dimension; zero is allowed (an empty tensor), negative values are not.</param>
    /// <exception cref="ArgumentException">A dimension is negative, or the element count overflows <see cref="int"/>.</exception>
    public TensorShape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new ArgumentException($"Dimension {i} of shape [{string.Join(", ", dims)}] is {dims[i]}; dimensions must be >= 0.", nameof(dims));
            }

            count *= dims[i];
            if (count > int.MaxValue)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", dims)}] has more than {int.MaxValue} elements.", nameof(dims));
            }
        }

        _dims = (int[])dims.Clone();
    }

    /// <summary>The number of dimensions (0 for a scalar).</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>The size of dimension <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not in [0, Rank).</exception>
    public int this[int axis]
    {
        get
        {
            if ((uint)axis >= (uint)Rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Shape {this} has rank {Rank}.");
            }

            return _dims![axis];
        }
    }

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public int ElementCount
    {
        get
        {
            int n = 1;
            if (_dims is not null)
            {
                foreach (int d in _dims)
                {
                    n *= d;
                }
            }

            return n;
        }
    }

    /// <summary>A copy of the dimensions, outermost first.</summary>
    public int[] ToArray() => _dims is null ? [] : (int[])_dims.Clone();

    /// <inheritdoc/>
    public bool Equals(TensorShape other) => Rank == other.Rank && (Rank == 0 || _dims.AsSpan().SequenceEqual(other._dims));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        if (_dims is not null)
        {
            foreach (int d in _dims)
            {
                h.Add(d);
            }
        }

        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(TensorShape a, TensorShape b) => a.Equals(b);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(TensorShape a, TensorShape b) => !a.Equals(b);

    /// <summary>Formats the shape as <c>[N, C, H, W]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _dims ?? []) + "]";
}
