// Deterministic reductions without atomics or shared memory: a first kernel writes fixed partial sums
// (interleaved over each channel, see ChannelArgs), a second adds them in index order. The split depends
// only on the shape, so every run gives the same bits. Used by SumPerChannel, BatchNorm, BCEWithLogits and CrossEntropy;
// the BatchNorm algebra is HostBackend's (biased variance to normalise, unbiased for the running estimate).
namespace Dcgan.Gpu.Kernels;

using ILGPU;

/// <content>Reduction kernels.</content>
internal static partial class DeviceKernels
{
    /// <summary>dst[j] += partial[j·outer] + partial[j·outer + inner] + … (Terms partials, in order).</summary>
    public static void SumPartialsKernel(ArrayView<float> partial, ArrayView<float> dst, SumPartialsArgs a)
    {
        for (long e = Start; e < a.Outputs; e += Step)
        {
            long b = e * a.OuterStride;
            float s = partial[b];
            for (int q = 1; q < a.Terms; q++)
            {
                s += partial[b + ((long)q * a.InnerStride)];
            }

            dst[e] += s;
        }
    }

    /// <summary>partial[c·Chunks + p] = Σ x[n, c, s] over j = n·S + s ≡ p (mod Chunks), j increasing.</summary>
    public static void ChannelSumKernel(ArrayView<float> x, ArrayView<float> partial, ChannelArgs a)
    {
        for (long e = Start; e < a.PartialCount; e += Step)
        {
            int c = (int)(e / a.Chunks);
            int p = (int)(e - ((long)c * a.Chunks));
            float sum = 0f;
            for (long j = p; j < a.ValuesPerChannel; j += a.Chunks)
            {
                sum += x[ChannelIndex(a, c, j)];
            }

            partial[e] = sum;
        }
    }

    /// <summary>partial[c·Chunks + p] = Σ (x − mean[c])² over the same values as <see cref="ChannelSumKernel"/>.</summary>
    public static void ChannelSquaresKernel(ArrayView<float> x, ArrayView<float> mean, ArrayView<float> partial, ChannelArgs a)
    {
        for (long e = Start; e < a.PartialCount; e += Step)
        {
            int c = (int)(e / a.Chunks);
            int p = (int)(e - ((long)c * a.Chunks));
            float mu = mean[c];
            float sum = 0f;
            for (long j = p; j < a.ValuesPerChannel; j += a.Chunks)
            {
                float d = x[ChannelIndex(a, c, j)] - mu;
                sum += d * d;
            }

            partial[e] = sum;
        }
    }

    /// <summary>mean[c] = (Σ of channel c's partials) / count.</summary>
    public static void BatchNormMeanKernel(ArrayView<float> partial, ArrayView<float> mean, ChannelArgs a)
    {
        for (long c = Start; c < a.Channels; c += Step)
        {
            mean[c] = SumChannelPartials(partial, a, (int)c, 0) / a.Count;
        }
    }

    /// <summary>
    /// From the partial sums of squares: invStd[c] = 1/sqrt(var + eps) with the biased variance; running mean and
    /// variance (unbiased) move by the momentum.
    /// </summary>
    public static void BatchNormVarianceKernel(ArrayView<float> partial, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> runningMean, ArrayView<float> runningVar, BatchNormArgs b)
    {
        ChannelArgs a = b.Layout;
        for (long c = Start; c < a.Channels; c += Step)
        {
            float squares = SumChannelPartials(partial, a, (int)c, 0);
            float variance = squares / a.Count;
            float mu = mean[c];
            invStd[c] = 1f / MathF.Sqrt(variance + b.Eps);
            float keep = 1f - b.Momentum;
            runningMean[c] = (keep * runningMean[c]) + (b.Momentum * mu);
            runningVar[c] = (keep * runningVar[c]) + (b.Momentum * squares / (a.Count - 1f));
        }
    }

    /// <summary>Eval mode: mean[c] = runningMean[c], invStd[c] = 1/sqrt(runningVar[c] + eps).</summary>
    public static void BatchNormEvalStatsKernel(ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> mean,
        ArrayView<float> invStd, BatchNormArgs b)
    {
        for (long c = Start; c < b.Layout.Channels; c += Step)
        {
            mean[c] = runningMean[c];
            invStd[c] = 1f / MathF.Sqrt(runningVar[c] + b.Eps);
        }
    }

    /// <summary>y = (x − mean[c])·(gamma[c]·invStd[c]) + beta[c].</summary>
    public static void BatchNormNormalizeKernel(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> mean,
        ArrayView<float> invStd, ArrayView<float> y, ChannelArgs a)
    {
        for (long i = Start; i < a.Length; i += Step)
        {
            int c = (int)(i / a.Spatial) % a.Channels;
            float scale = gamma[c] * invStd[c];
            y[i] = ((x[i] - mean[c]) * scale) + beta[c];
        }
    }

    /// <summary>
    /// Partial sums of dy (at partial[e]) and of dy·(x − mean)·invStd (at partial[PartialCount + e]) for the
    /// BatchNorm backward pass.
    /// </summary>
    public static void BatchNormBackwardPartialKernel(ArrayView<float> dy, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> invStd,
        ArrayView<float> partial, ChannelArgs a)
    {
        for (long e = Start; e < a.PartialCount; e += Step)
        {
            int c = (int)(e / a.Chunks);
            int p = (int)(e - ((long)c * a.Chunks));
            float mu = mean[c];
            float inv = invStd[c];
            float sumDy = 0f;
            float sumDyXhat = 0f;
            for (long j = p; j < a.ValuesPerChannel; j += a.Chunks)
            {
                long idx = ChannelIndex(a, c, j);
                float d = dy[idx];
                sumDy += d;
                sumDyXhat += d * (x[idx] - mu) * inv;
            }

            partial[e] = sumDy;
            partial[a.PartialCount + e] = sumDyXhat;
        }
    }

    /// <summary>
    /// Per channel: gradWeight += Σ dy·x̂ and gradBias += Σ dy (when present), and stats[c] = mean of dy,
    /// stats[C + c] = mean of dy·x̂ for <see cref="BatchNormBackwardInputKernel"/>.
    /// </summary>
    public static void BatchNormBackwardReduceKernel(ArrayView<float> partial, ArrayView<float> gradWeight, ArrayView<float> gradBias,
        ArrayView<float> stats, BatchNormArgs b)
    {
        ChannelArgs a = b.Layout;
        for (long c = Start; c < a.Channels; c += Step)
        {
            float sumDy = SumChannelPartials(partial, a, (int)c, 0);
            float sumDyXhat = SumChannelPartials(partial, a, (int)c, a.PartialCount);
            if (b.HasGradWeight != 0)
            {
                gradWeight[c] += sumDyXhat;
            }

            if (b.HasGradBias != 0)
            {
                gradBias[c] += sumDy;
            }

            stats[c] = sumDy / a.Count;
            stats[a.Channels + c] = sumDyXhat / a.Count;
        }
    }

    /// <summary>
    /// dx = gamma·invStd·(dy − mean(dy) − x̂·mean(dy·x̂)) in training mode (the batch statistics depend on x),
    /// gamma·invStd·dy in eval mode.
    /// </summary>
    public static void BatchNormBackwardInputKernel(ArrayView<float> dy, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> mean,
        ArrayView<float> invStd, ArrayView<float> stats, ArrayView<float> dx, BatchNormArgs b)
    {
        ChannelArgs a = b.Layout;
        for (long i = Start; i < a.Length; i += Step)
        {
            int c = (int)(i / a.Spatial) % a.Channels;
            float inv = invStd[c];
            float scale = gamma[c] * inv;
            float d = dy[i];
            dx[i] = b.Training != 0
                ? scale * (d - stats[c] - ((x[i] - mean[c]) * inv * stats[a.Channels + c]))
                : scale * d;
        }
    }

    /// <summary>
    /// Partial sums of max(x, 0) − x·y + log(1 + exp(−|x|)) over i ≡ p (mod Chunks); also writes
    /// dx = (sigmoid(x) − y) / n when asked.
    /// </summary>
    public static void BceTermsKernel(ArrayView<float> logits, ArrayView<float> target, ArrayView<float> gradInput, ArrayView<float> partial, BceArgs a)
    {
        for (long p = Start; p < a.Chunks; p += Step)
        {
            float sum = 0f;
            for (long i = p; i < a.Length; i += a.Chunks)
            {
                float v = logits[i];
                float y = target[i];
                float positive = v > 0f ? v : 0f;
                // log(1 + e^−|x|) as the CPU computes it (1 + u rounded first), with an accurate log of that sum.
                sum += positive - (v * y) + DeviceMath.LogOneToTwo(MathF.Exp(-MathF.Abs(v)) + 1f);
                if (a.WithGrad != 0)
                {
                    gradInput[i] = (DeviceMath.Sigmoid(v) - y) / a.Count;
                }
            }

            partial[p] = sum;
        }
    }

    /// <summary>loss[0] = (partial[0] + partial[1] + …) / n, by one thread.</summary>
    public static void BceFinishKernel(ArrayView<float> partial, ArrayView<float> loss, BceArgs a)
    {
        if (Start == 0)
        {
            float s = partial[0];
            for (int p = 1; p < a.Chunks; p++)
            {
                s += partial[p];
            }

            loss[0] = s / a.Count;
        }
    }

    /// <summary>
    /// partial[p] = Σ over rows n = p, p + Chunks, … of logsumexp(x[n]) − x[n, target[n]] (row maximum subtracted first,
    /// as the CPU reference); with WithGrad, gradInput[n, c] = (softmax(x[n])[c] − [c = target[n]]) / N. A target that is not a
    /// whole number in [0, C) gives NaN.
    /// </summary>
    public static void CrossEntropyTermsKernel(ArrayView<float> logits, ArrayView<float> target, ArrayView<float> gradInput, ArrayView<float> partial, CrossEntropyArgs a)
    {
        for (long p = Start; p < a.Chunks; p += Step)
        {
            float sum = 0f;
            for (long n = p; n < a.Rows; n += a.Chunks)
            {
                long b = n * a.Classes;
                float max = logits[b];
                for (int c = 1; c < a.Classes; c++)
                {
                    float v = logits[b + c];
                    max = v > max ? v : max;
                }

                float total = 0f;
                for (int c = 0; c < a.Classes; c++)
                {
                    total += MathF.Exp(logits[b + c] - max);
                }

                float t = target[n];
                bool valid = t >= 0f && t < a.Classes && (float)(int)t == t;
                int k = valid ? (int)t : 0;
                sum += valid ? DeviceMath.LogAtLeastOne(total) - (logits[b + k] - max) : float.NaN;
                if (a.WithGrad != 0)
                {
                    for (int c = 0; c < a.Classes; c++)
                    {
                        float q = MathF.Exp(logits[b + c] - max) / total;
                        gradInput[b + c] = valid ? (q - (c == k ? 1f : 0f)) / a.Count : float.NaN;
                    }
                }
            }

            partial[p] = sum;
        }
    }

    /// <summary>The flat index of value j = n·S + s of channel c.</summary>
    private static long ChannelIndex(ChannelArgs a, int c, long j)
    {
        long n = j / a.Spatial;
        long s = j - (n * a.Spatial);
        return (((n * a.Channels) + c) * a.Spatial) + s;
    }

    /// <summary>The partials of channel c (from <paramref name="offset"/>), added in order.</summary>
    private static float SumChannelPartials(ArrayView<float> partial, ChannelArgs a, int c, int offset)
    {
        long b = offset + ((long)c * a.Chunks);
        float s = partial[b];
        for (int p = 1; p < a.Chunks; p++)
        {
            s += partial[b + p];
        }

        return s;
    }
}
