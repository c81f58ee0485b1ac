// SIMD elementwise kernels: a Vector<float> body and a scalar tail that computes the same expression,
// so every length gives the same bits as the scalar reference.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

/// <summary>Vectorised activation kernels (forward and backward) on float spans of any length.</summary>
internal static class Elementwise
{
    /// <summary>y = x &lt; 0 ? 0 : x (NaN passes through).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReLU(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int v = 0; v < xv.Length; v++)
            {
                yv[v] = Vector.ConditionalSelect(Vector.LessThan(xv[v], Vector<float>.Zero), Vector<float>.Zero, xv[v]);
            }

            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] < 0f ? 0f : x[i];
        }
    }

    /// <summary>y = x &gt; 0 ? x : slope·x (NaN passes through).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReLU(ReadOnlySpan<float> x, float slope, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            var s = new Vector<float>(slope);
            for (int v = 0; v < xv.Length; v++)
            {
                yv[v] = Vector.ConditionalSelect(Vector.GreaterThan(xv[v], Vector<float>.Zero), xv[v], xv[v] * s);
            }

            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] = x[i] > 0f ? x[i] : x[i] * slope;
        }
    }

    /// <summary>dx = x &gt; 0 ? dy : 0. A select, not dy·0: the result is +0 (never −0, or NaN for an infinite dy) where x ≤ 0, as PyTorch's threshold_backward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            ReadOnlySpan<Vector<float>> dyv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            Span<Vector<float>> dxv = MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int v = 0; v < xv.Length; v++)
            {
                dxv[v] = Vector.ConditionalSelect(Vector.GreaterThan(xv[v], Vector<float>.Zero), dyv[v], Vector<float>.Zero);
            }

            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            dx[i] = x[i] > 0f ? dy[i] : 0f;
        }
    }

    /// <summary>dx = x &gt; 0 ? dy : slope·dy (the gradient at x = 0 is the slope, as PyTorch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LeakyReLUBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float slope, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
            ReadOnlySpan<Vector<float>> dyv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            Span<Vector<float>> dxv = MemoryMarshal.Cast<float, Vector<float>>(dx);
            var s = new Vector<float>(slope);
            for (int v = 0; v < xv.Length; v++)
            {
                dxv[v] = Vector.ConditionalSelect(Vector.GreaterThan(xv[v], Vector<float>.Zero), dyv[v], dyv[v] * s);
            }

            i = xv.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            dx[i] = x[i] > 0f ? dy[i] : dy[i] * slope;
        }
    }

    /// <summary>
    /// y = tanh(x) within a few ulps for every x: x + x·x²·P(x²) for |x| &lt; 0.55 (P a degree-5 fit of
    /// (tanh(x)/x − 1)/x² on that interval), else 1 − 2/(e^(2|x|) + 1), with the sign of x; NaN stays NaN.
    /// TensorPrimitives.Tanh (System.Numerics.Tensors 11) goes through e^(2x) − 1 and loses all relative
    /// precision near 0 (it returns −6e-8 for tanh(0)). The tail runs through the same vector code, zero-padded,
    /// so an element's result does not depend on its position.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        ReadOnlySpan<Vector<float>> xv = MemoryMarshal.Cast<float, Vector<float>>(x);
        Span<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
        for (int v = 0; v < xv.Length; v++)
        {
            yv[v] = TanhVector(xv[v]);
        }

        int i = xv.Length * Vector<float>.Count;
        if (i < x.Length)
        {
            Span<float> tail = stackalloc float[Vector<float>.Count];
            tail.Clear();
            x[i..].CopyTo(tail);
            Vector<float> r = TanhVector(new Vector<float>(tail));
            for (int j = 0; i + j < x.Length; j++)
            {
                y[i + j] = r[j];
            }
        }
    }

    private static Vector<float> TanhVector(Vector<float> x)
    {
        Vector<float> a = Vector.Abs(x);
        Vector<float> t = a * a;
        Vector<float> p = new(0.0025263915304094553f);
        p = (p * t) + new Vector<float>(-0.00852633360773325f);
        p = (p * t) + new Vector<float>(0.02181844972074032f);
        p = (p * t) + new Vector<float>(-0.05396470054984093f);
        p = (p * t) + new Vector<float>(0.1333332359790802f);
        p = (p * t) + new Vector<float>(-0.3333333432674408f);
        Vector<float> small = a + (a * t * p);
        Vector<float> large = Vector<float>.One - (new Vector<float>(2f) / (Vector.Exp(a + a) + Vector<float>.One));
        Vector<float> magnitude = Vector.ConditionalSelect(Vector.LessThan(a, new Vector<float>(0.55f)), small, large);
        return magnitude | (x & new Vector<float>(-0f));
    }

    /// <summary>dx = dy·(1 − y²) where y = tanh(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            ReadOnlySpan<Vector<float>> dyv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            Span<Vector<float>> dxv = MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int v = 0; v < yv.Length; v++)
            {
                dxv[v] = dyv[v] * (Vector<float>.One - (yv[v] * yv[v]));
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            dx[i] = dy[i] * (1f - (y[i] * y[i]));
        }
    }

    /// <summary>dx = dy·y·(1 − y) where y = sigmoid(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            ReadOnlySpan<Vector<float>> yv = MemoryMarshal.Cast<float, Vector<float>>(y);
            ReadOnlySpan<Vector<float>> dyv = MemoryMarshal.Cast<float, Vector<float>>(dy);
            Span<Vector<float>> dxv = MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int v = 0; v < yv.Length; v++)
            {
                dxv[v] = dyv[v] * yv[v] * (Vector<float>.One - yv[v]);
            }

            i = yv.Length * Vector<float>.Count;
        }

        for (; i < y.Length; i++)
        {
            dx[i] = dy[i] * y[i] * (1f - y[i]);
        }
    }
}
