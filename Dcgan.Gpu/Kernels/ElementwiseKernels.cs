// Elementwise ILGPU kernels: fill, copy, bias, activations, dropout, multiply and the fused Adam step.
// Each is a grid-stride loop with one element per iteration; the expressions are HostBackend's, term for term.
namespace Dcgan.Gpu.Kernels;

using Dcgan.Backends;
using ILGPU;

/// <summary>The kernels of <see cref="GpuBackend"/>; every public static method whose name ends in Kernel is one.</summary>
internal static partial class DeviceKernels
{
    /// <summary>The first element this thread handles.</summary>
    private static int Start => Grid.GlobalIndex.X;

    /// <summary>The number of threads in the launch, the grid-stride step.</summary>
    private static int Step => Grid.DimX * Group.DimX;

    /// <summary>y[i] = A.</summary>
    public static void FillKernel(ArrayView<float> y, ElementwiseArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            y[i] = a.A;
        }
    }

    /// <summary>y[i] = x[i] (the two views never overlap: the host stages overlapping copies).</summary>
    public static void CopyKernel(ArrayView<float> x, ArrayView<float> y, ElementwiseArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            y[i] = x[i];
        }
    }

    /// <summary>y[n, dc + c, s] = x[n, sc + c, s] for the block of channels in <paramref name="a"/>.</summary>
    public static void CopyChannelsKernel(ArrayView<float> x, ArrayView<float> y, ChannelCopyArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            long n = i / a.Block, r = i - (n * a.Block);
            y[(n * a.DestinationStride) + a.DestinationStart + r] = x[(n * a.SourceStride) + a.SourceStart + r];
        }
    }

    /// <summary>y[n, c, s] += bias[c] over a <c>[N, C, S]</c> tensor.</summary>
    public static void AddChannelBiasKernel(ArrayView<float> y, ArrayView<float> bias, ChannelArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            int c = (int)(i / a.Spatial) % a.Channels;
            y[i] += bias[c];
        }
    }

    /// <summary>y = f(x) for the activation in <paramref name="a"/>.</summary>
    public static void ActivationForwardKernel(ArrayView<float> x, ArrayView<float> y, ActivationArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            float v = x[i];
            float r;
            if (a.Kind == (int)ActivationKind.ReLU)
            {
                r = v < 0f ? 0f : v;
            }
            else if (a.Kind == (int)ActivationKind.LeakyReLU)
            {
                r = v > 0f ? v : v * a.Slope;
            }
            else if (a.Kind == (int)ActivationKind.Tanh)
            {
                r = DeviceMath.Tanh(v);
            }
            else
            {
                r = DeviceMath.Sigmoid(v);
            }

            y[i] = r;
        }
    }

    /// <summary>dx = dy·f′: ReLU-like functions read x, Tanh and Sigmoid read y.</summary>
    public static void ActivationBackwardKernel(ArrayView<float> x, ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, ActivationArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            float r;
            if (a.Kind == (int)ActivationKind.ReLU)
            {
                r = x[i] > 0f ? dy[i] : 0f;
            }
            else if (a.Kind == (int)ActivationKind.LeakyReLU)
            {
                r = x[i] > 0f ? dy[i] : dy[i] * a.Slope;
            }
            else if (a.Kind == (int)ActivationKind.Tanh)
            {
                float t = y[i];
                r = dy[i] * (1f - (t * t));
            }
            else
            {
                float s = y[i];
                r = dy[i] * s * (1f - s);
            }

            dx[i] = r;
        }
    }

    /// <summary>mask[i] = (hash(seed, i) &lt; p) ? 0 : keep; y = x·mask, with the CPU's hash.</summary>
    public static void DropoutKernel(ArrayView<float> x, ArrayView<float> mask, ArrayView<float> y, DropoutArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            float m = DropoutHash.Uniform(a.Seed, (ulong)i) < a.P ? 0f : a.Keep;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }

    /// <summary>r = a·b.</summary>
    public static void MultiplyKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<float> r, ElementwiseArgs args)
    {
        for (long i = Start; i < args.Length; i += Step)
        {
            r[i] = a[i] * b[i];
        }
    }

    /// <summary>One Adam update per element, in HostBackend's order of operations.</summary>
    public static void AdamKernel(ArrayView<float> w, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, AdamArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            float wi = w[i];
            float gi = g[i] + (a.WeightDecay * wi);
            float mi = (a.Beta1 * m[i]) + (a.OneMinusBeta1 * gi);
            float vi = (a.Beta2 * v[i]) + (a.OneMinusBeta2 * gi * gi);
            m[i] = mi;
            v[i] = vi;
            w[i] = wi - (a.StepSize * mi / ((MathF.Sqrt(vi) / a.Correction2Sqrt) + a.Eps));
        }
    }
}
