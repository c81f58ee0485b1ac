// Elementwise kernels in one style: a small operator struct says what one register computes (written once, generic
// over the vector width of Widths.cs), and one driver owns the loop and the tail. The tail goes through the same
// operator on a zero-padded register, so an element's result never depends on its position or the length.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;

/// <summary>y = f(x) for one register.</summary>
internal interface IUnaryOperator
{
    /// <summary>Applies the operator to every lane.</summary>
    TV Invoke<TW, TV>(TV x)
        where TW : struct, IWidth<TV>
        where TV : struct;
}

/// <summary>r = f(a, b) for one register.</summary>
internal interface IBinaryOperator
{
    /// <summary>Applies the operator to every lane.</summary>
    TV Invoke<TW, TV>(TV a, TV b)
        where TW : struct, IWidth<TV>
        where TV : struct;
}

/// <summary>The drivers: one loop per arity, the width's register at a time, then the padded tail.</summary>
internal static unsafe class Elementwise
{
    /// <summary>y[i] = op(x[i]) for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp, TW, TV>(TOp op, float* x, float* y, int n)
        where TOp : struct, IUnaryOperator
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        for (; i + w <= n; i += w)
        {
            TW.Store(op.Invoke<TW, TV>(TW.Load(x + i)), y + i);
        }

        if (i < n)
        {
            float* a = stackalloc float[w];
            Pad(a, x + i, n - i, w);
            TW.Store(op.Invoke<TW, TV>(TW.Load(a)), a);
            new ReadOnlySpan<float>(a, n - i).CopyTo(new Span<float>(y + i, n - i));
        }
    }

    /// <summary>r[i] = op(a[i], b[i]) for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Map<TOp, TW, TV>(TOp op, float* a, float* b, float* r, int n)
        where TOp : struct, IBinaryOperator
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        for (; i + w <= n; i += w)
        {
            TW.Store(op.Invoke<TW, TV>(TW.Load(a + i), TW.Load(b + i)), r + i);
        }

        if (i < n)
        {
            float* ta = stackalloc float[w];
            float* tb = stackalloc float[w];
            Pad(ta, a + i, n - i, w);
            Pad(tb, b + i, n - i, w);
            TW.Store(op.Invoke<TW, TV>(TW.Load(ta), TW.Load(tb)), ta);
            new ReadOnlySpan<float>(ta, n - i).CopyTo(new Span<float>(r + i, n - i));
        }
    }

    private static void Pad(float* dst, float* src, int count, int width)
    {
        new ReadOnlySpan<float>(src, count).CopyTo(new Span<float>(dst, width));
        new Span<float>(dst + count, width - count).Clear();
    }
}

/// <summary>y = x &lt; 0 ? 0 : x (NaN passes through).</summary>
internal readonly struct ReLUOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV x)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Select(TW.LessThan(x, TW.Zero), TW.Zero, x);
}

/// <summary>y = x &gt; 0 ? x : slope·x (NaN passes through).</summary>
internal readonly struct LeakyReLUOperator(float slope) : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV x)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Select(TW.GreaterThan(x, TW.Zero), x, TW.Multiply(x, TW.Broadcast(slope)));
}

/// <summary>
/// y = tanh(x) within a few ulps for every x: x + x·x²·P(x²) for |x| &lt; 0.55 (P a degree-5 fit of
/// (tanh(x)/x − 1)/x² on that interval), else 1 − 2/(e^(2|x|) + 1), with the sign of x; NaN stays NaN.
/// TensorPrimitives.Tanh (System.Numerics.Tensors 11) goes through e^(2x) − 1 and loses all relative
/// precision near 0 (it returns −6e-8 for tanh(0)).
/// </summary>
internal readonly struct TanhOperator : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV x)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        TV a = TW.Abs(x);
        TV t = TW.Multiply(a, a);
        TV p = TW.Broadcast(0.0025263915304094553f);
        p = TW.Add(TW.Multiply(p, t), TW.Broadcast(-0.00852633360773325f));
        p = TW.Add(TW.Multiply(p, t), TW.Broadcast(0.02181844972074032f));
        p = TW.Add(TW.Multiply(p, t), TW.Broadcast(-0.05396470054984093f));
        p = TW.Add(TW.Multiply(p, t), TW.Broadcast(0.1333332359790802f));
        p = TW.Add(TW.Multiply(p, t), TW.Broadcast(-0.3333333432674408f));
        TV small = TW.Add(a, TW.Multiply(TW.Multiply(a, t), p));
        TV one = TW.Broadcast(1f);
        TV large = TW.Subtract(one, TW.Divide(TW.Broadcast(2f), TW.Add(TW.Exp(TW.Add(a, a)), one)));
        TV magnitude = TW.Select(TW.LessThan(a, TW.Broadcast(0.55f)), small, large);
        return TW.Or(magnitude, TW.And(x, TW.Broadcast(-0f)));
    }
}

/// <summary>r = a·b.</summary>
internal readonly struct MultiplyOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV a, TV b)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Multiply(a, b);
}

/// <summary>dx = x &gt; 0 ? dy : 0 (a = x, b = dy). A select, not dy·0: +0 (never −0, or NaN for an infinite dy) where x ≤ 0, as PyTorch's threshold_backward.</summary>
internal readonly struct ReLUBackwardOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV x, TV dy)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Select(TW.GreaterThan(x, TW.Zero), dy, TW.Zero);
}

/// <summary>dx = x &gt; 0 ? dy : slope·dy (a = x, b = dy; the gradient at x = 0 is the slope, as PyTorch).</summary>
internal readonly struct LeakyReLUBackwardOperator(float slope) : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV x, TV dy)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Select(TW.GreaterThan(x, TW.Zero), dy, TW.Multiply(dy, TW.Broadcast(slope)));
}

/// <summary>dx = dy·(1 − y²) where y = tanh(x) (a = y, b = dy).</summary>
internal readonly struct TanhBackwardOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV y, TV dy)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Multiply(dy, TW.Subtract(TW.Broadcast(1f), TW.Multiply(y, y)));
}

/// <summary>dx = dy·y·(1 − y) where y = sigmoid(x) (a = y, b = dy).</summary>
internal readonly struct SigmoidBackwardOperator : IBinaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Invoke<TW, TV>(TV y, TV dy)
        where TW : struct, IWidth<TV>
        where TV : struct => TW.Multiply(TW.Multiply(dy, y), TW.Subtract(TW.Broadcast(1f), y));
}
