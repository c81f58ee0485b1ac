// SIMD elementwise kernels: a Vector<float> body and a scalar tail that computes the same expression,
// so every length gives the same bits as the scalar reference.
namespace Dcgan.Backends.Cpu;

using System.Numerics;
using System.Runtime.InteropServices;

/// <summary>Vectorised activation kernels (forward and backward) on float spans of any length.</summary>
internal static class Elementwise
{
    /// <summary>y = x &lt; 0 ? 0 : x (NaN passes through).</summary>
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

    /// <summary>dx = dy·(1 − y²) where y = tanh(x).</summary>
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
