// The three convolution kernels, gather formulation: one thread per output element, each summing its taps
// in HostBackend's loop order, so no two threads write one element and no atomics are needed.
// ConvTranspose2d and Linear reuse them (see IBackend). Indices stay below the tensors' lengths because the host
// checks every shape against the geometry before launching.
namespace Dcgan.Gpu.Kernels;

using Dcgan.Backends;
using ILGPU;

/// <content>Convolution kernels.</content>
internal static partial class DeviceKernels
{
    /// <summary>y[n, co, oh, ow] = Σ over ci, kh, kw of x[n, ci, oh·s − p + kh, ow·s − p + kw]·w[co, ci, kh, kw].</summary>
    public static void ConvForwardKernel(ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, ConvGeometry g)
    {
        int total = g.Batch * g.OutChannels * g.OutHeight * g.OutWidth;
        int k = g.KernelSize;
        for (long e = Start; e < total; e += Step)
        {
            int idx = (int)e;
            int ow = idx % g.OutWidth;
            int t = idx / g.OutWidth;
            int oh = t % g.OutHeight;
            t /= g.OutHeight;
            int co = t % g.OutChannels;
            int n = t / g.OutChannels;
            int ih0 = (oh * g.Stride) - g.Padding;
            int iw0 = (ow * g.Stride) - g.Padding;
            float sum = 0f;
            for (int ci = 0; ci < g.InChannels; ci++)
            {
                int xBase = ((n * g.InChannels) + ci) * g.InHeight * g.InWidth;
                int wBase = ((co * g.InChannels) + ci) * k * k;
                for (int kh = 0; kh < k; kh++)
                {
                    int ih = ih0 + kh;
                    if ((uint)ih >= (uint)g.InHeight)
                    {
                        continue;
                    }

                    for (int kw = 0; kw < k; kw++)
                    {
                        int iw = iw0 + kw;
                        if ((uint)iw < (uint)g.InWidth)
                        {
                            sum += x[xBase + (ih * g.InWidth) + iw] * w[wBase + (kh * k) + kw];
                        }
                    }
                }
            }

            y[idx] = sum;
        }
    }

    /// <summary>
    /// dx[n, ci, ih, iw] = Σ over co and the taps that reach (ih, iw) of dy[n, co, oh, ow]·w[co, ci, kh, kw].
    /// Only kh ≡ ih + p (mod s) can reach, so the loop starts there and steps by s: the same terms in the same
    /// order as the reference's test-and-skip loop.
    /// </summary>
    public static void ConvBackwardInputKernel(ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx, ConvGeometry g)
    {
        int total = g.Batch * g.InChannels * g.InHeight * g.InWidth;
        int k = g.KernelSize;
        int s = g.Stride;
        for (long e = Start; e < total; e += Step)
        {
            int idx = (int)e;
            int iw = idx % g.InWidth;
            int t = idx / g.InWidth;
            int ih = t % g.InHeight;
            t /= g.InHeight;
            int ci = t % g.InChannels;
            int n = t / g.InChannels;
            int ph = ih + g.Padding;
            int pw = iw + g.Padding;
            int kh0 = ph % s;
            int kw0 = pw % s;
            float sum = 0f;
            for (int co = 0; co < g.OutChannels; co++)
            {
                int dyBase = ((n * g.OutChannels) + co) * g.OutHeight * g.OutWidth;
                int wBase = ((co * g.InChannels) + ci) * k * k;
                for (int kh = kh0; kh < k && kh <= ph; kh += s)
                {
                    int oh = (ph - kh) / s;
                    if (oh >= g.OutHeight)
                    {
                        continue;
                    }

                    for (int kw = kw0; kw < k && kw <= pw; kw += s)
                    {
                        int ow = (pw - kw) / s;
                        if (ow < g.OutWidth)
                        {
                            sum += dy[dyBase + (oh * g.OutWidth) + ow] * w[wBase + (kh * k) + kw];
                        }
                    }
                }
            }

            dx[idx] = sum;
        }
    }

    /// <summary>
    /// The weight gradient over batch range <c>chunk</c>: Σ over n in the range, oh, ow of
    /// dy[n, co, oh, ow]·x[n, ci, oh·s − p + kh, ow·s − p + kw]. With one range it is added to dw directly;
    /// otherwise it is written to partial[chunk·|w| + j] and <see cref="SumPartialsKernel"/> adds the ranges in order.
    /// </summary>
    public static void ConvBackwardWeightKernel(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dw, ArrayView<float> partial, ConvWeightArgs a)
    {
        ConvGeometry g = a.Geometry;
        int k = g.KernelSize;
        int weights = g.OutChannels * g.InChannels * k * k;
        long total = (long)weights * a.Chunks;
        for (long e = Start; e < total; e += Step)
        {
            int chunk = (int)(e / weights);
            int j = (int)(e - ((long)chunk * weights));
            int kw = j % k;
            int t = j / k;
            int kh = t % k;
            t /= k;
            int ci = t % g.InChannels;
            int co = t / g.InChannels;
            int n0 = chunk * a.BatchPerChunk;
            int n1 = n0 + a.BatchPerChunk < g.Batch ? n0 + a.BatchPerChunk : g.Batch;
            float sum = 0f;
            for (int n = n0; n < n1; n++)
            {
                int xBase = ((n * g.InChannels) + ci) * g.InHeight * g.InWidth;
                int dyBase = ((n * g.OutChannels) + co) * g.OutHeight * g.OutWidth;
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    int ih = (oh * g.Stride) - g.Padding + kh;
                    if ((uint)ih >= (uint)g.InHeight)
                    {
                        continue;
                    }

                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        int iw = (ow * g.Stride) - g.Padding + kw;
                        if ((uint)iw < (uint)g.InWidth)
                        {
                            sum += dy[dyBase + (oh * g.OutWidth) + ow] * x[xBase + (ih * g.InWidth) + iw];
                        }
                    }
                }
            }

            if (a.Chunks == 1)
            {
                dw[j] += sum;
            }
            else
            {
                partial[e] = sum;
            }
        }
    }
}
