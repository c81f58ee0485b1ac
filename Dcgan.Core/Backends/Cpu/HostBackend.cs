// Plain-loop kernels over host arrays, generic in the element type: the test oracle.
// T = float is the reference the fast CPU backend is tested against; T = double runs modules in float64 for gradient
// checks. Arguments were checked by Backend before a kernel runs. Work is split by output element (gather, never
// scatter) so every sum has one fixed order for any thread count.
namespace Dcgan.Backends.Cpu;

using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Dcgan.Tensors;

/// <summary>
/// A backend whose tensors live in host arrays of <typeparamref name="T"/>; every kernel is a plain loop
/// (the reference that faster kernels are tested against). Work is split across threads by output element,
/// so results are bit-identical for any thread count. Arguments are checked by <see cref="Backend"/>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class HostBackend<T> : Backend
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParallelOptions _parallel;
    private readonly HostMemory _memory = new();

    /// <summary>Creates the backend.</summary>
    /// <param name="threads">Worker threads for the kernels; 0 means <see cref="Environment.ProcessorCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    protected HostBackend(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    /// <summary>The number of worker threads the kernels use.</summary>
    public int Threads { get; }

    /// <summary>The elements of a tensor of this backend, in row-major order, without copying.</summary>
    /// <param name="tensor">A tensor allocated by this backend, or a view of one.</param>
    /// <returns>The <see cref="Tensor.Length"/> elements from <see cref="Tensor.Offset"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException">The tensor belongs to another backend.</exception>
    /// <exception cref="ObjectDisposedException">The backend or the tensor was disposed.</exception>
    public Span<T> GetSpan(Tensor tensor)
    {
        ThrowIfDisposed();
        CheckTensor(tensor, nameof(tensor));
        return SpanOf(tensor);
    }

    /// <summary>
    /// The elements of a host tensor of <typeparamref name="T"/> (any host backend's), without the ownership check:
    /// for kernels, after <see cref="Backend"/> checked the call. The span's bounds check proves the view lies in its array.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor's storage is not an array of <typeparamref name="T"/>.</exception>
    internal static Span<T> SpanOf(Tensor tensor) =>
        (tensor.Storage as T[] ?? throw new ArgumentException($"{tensor} is not stored in a host array of {typeof(T).Name}.", nameof(tensor)))
        .AsSpan(tensor.Offset, tensor.Length);

    /// <inheritdoc/>
    internal override Tensor AllocateCore(TensorShape shape)
    {
        _memory.Allocated((long)shape.ElementCount * Unsafe.SizeOf<T>());
        return new(this, new T[shape.ElementCount], 0, shape, ownsStorage: true);
    }

    /// <inheritdoc/>
    internal override void ReleaseCore(Tensor tensor) => _memory.Released((long)((T[])tensor.Storage).Length * Unsafe.SizeOf<T>());

    /// <inheritdoc/>
    internal override void UploadCore(ReadOnlySpan<float> source, Tensor destination)
    {
        Span<T> d = SpanOf(destination);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = T.CreateTruncating(source[i]);
        }
    }

    /// <inheritdoc/>
    internal override void DownloadCore(Tensor source, Span<float> destination)
    {
        Span<T> s = SpanOf(source);
        for (int i = 0; i < s.Length; i++)
        {
            destination[i] = float.CreateTruncating(s[i]);
        }
    }

    /// <inheritdoc/>
    internal override void FillCore(Tensor tensor, float value) => SpanOf(tensor).Fill(T.CreateTruncating(value));

    /// <inheritdoc/>
    internal override void CopyCore(Tensor source, Tensor destination) => SpanOf(source).CopyTo(SpanOf(destination));

    /// <inheritdoc/>
    internal override void CopyChannelsCore(Tensor source, int sourceChannel, Tensor destination, int destinationChannel, int channels)
    {
        Span<T> s = SpanOf(source), d = SpanOf(destination);
        int plane = source.Shape[2] * source.Shape[3], sc = source.Shape[1], dc = destination.Shape[1];
        for (int n = 0; n < source.Shape[0]; n++)
        {
            s.Slice(((n * sc) + sourceChannel) * plane, channels * plane).CopyTo(d.Slice(((n * dc) + destinationChannel) * plane, channels * plane));
        }
    }

    /// <inheritdoc/>
    internal override void ConvForwardCore(in ConvGeometry g, Tensor input, Tensor weight, Tensor output)
    {
        T[] x = ArrayOf(input), w = ArrayOf(weight), y = ArrayOf(output);
        int xo = input.Offset, wo = weight.Offset, yo = output.Offset;
        ConvGeometry c = g;
        Parallel.For(0, c.Batch * c.OutChannels, _parallel, job =>
        {
            int n = job / c.OutChannels, co = job % c.OutChannels;
            int k = c.KernelSize;
            for (int oh = 0; oh < c.OutHeight; oh++)
            {
                for (int ow = 0; ow < c.OutWidth; ow++)
                {
                    T sum = T.Zero;
                    for (int ci = 0; ci < c.InChannels; ci++)
                    {
                        int xBase = xo + (((n * c.InChannels) + ci) * c.InHeight * c.InWidth);
                        int wBase = wo + (((co * c.InChannels) + ci) * k * k);
                        for (int kh = 0; kh < k; kh++)
                        {
                            int ih = (oh * c.Stride) - c.Padding + kh;
                            if ((uint)ih >= (uint)c.InHeight)
                            {
                                continue;
                            }

                            for (int kw = 0; kw < k; kw++)
                            {
                                int iw = (ow * c.Stride) - c.Padding + kw;
                                if ((uint)iw < (uint)c.InWidth)
                                {
                                    sum += x[xBase + (ih * c.InWidth) + iw] * w[wBase + (kh * k) + kw];
                                }
                            }
                        }
                    }

                    y[yo + (((((n * c.OutChannels) + co) * c.OutHeight) + oh) * c.OutWidth) + ow] = sum;
                }
            }
        });
    }

    /// <inheritdoc/>
    internal override void ConvBackwardInputCore(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        T[] dy = ArrayOf(gradOutput), w = ArrayOf(weight), dx = ArrayOf(gradInput);
        int dyo = gradOutput.Offset, wo = weight.Offset, dxo = gradInput.Offset;
        ConvGeometry c = g;
        Parallel.For(0, c.Batch * c.InChannels, _parallel, job =>
        {
            int n = job / c.InChannels, ci = job % c.InChannels;
            int k = c.KernelSize, s = c.Stride;
            for (int ih = 0; ih < c.InHeight; ih++)
            {
                for (int iw = 0; iw < c.InWidth; iw++)
                {
                    T sum = T.Zero;
                    for (int co = 0; co < c.OutChannels; co++)
                    {
                        int dyBase = dyo + (((n * c.OutChannels) + co) * c.OutHeight * c.OutWidth);
                        int wBase = wo + (((co * c.InChannels) + ci) * k * k);
                        for (int kh = 0; kh < k; kh++)
                        {
                            int th = ih + c.Padding - kh;
                            if (th < 0 || th % s != 0 || th / s >= c.OutHeight)
                            {
                                continue;
                            }

                            int oh = th / s;
                            for (int kw = 0; kw < k; kw++)
                            {
                                int tw = iw + c.Padding - kw;
                                if (tw < 0 || tw % s != 0 || tw / s >= c.OutWidth)
                                {
                                    continue;
                                }

                                sum += dy[dyBase + (oh * c.OutWidth) + (tw / s)] * w[wBase + (kh * k) + kw];
                            }
                        }
                    }

                    dx[dxo + (((((n * c.InChannels) + ci) * c.InHeight) + ih) * c.InWidth) + iw] = sum;
                }
            }
        });
    }

    /// <inheritdoc/>
    internal override void ConvBackwardWeightCore(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight)
    {
        T[] x = ArrayOf(input), dy = ArrayOf(gradOutput), dw = ArrayOf(gradWeight);
        int xo = input.Offset, dyo = gradOutput.Offset, dwo = gradWeight.Offset;
        ConvGeometry c = g;
        Parallel.For(0, c.OutChannels * c.InChannels, _parallel, job =>
        {
            int co = job / c.InChannels, ci = job % c.InChannels;
            int k = c.KernelSize;
            for (int kh = 0; kh < k; kh++)
            {
                for (int kw = 0; kw < k; kw++)
                {
                    T sum = T.Zero;
                    for (int n = 0; n < c.Batch; n++)
                    {
                        int xBase = xo + (((n * c.InChannels) + ci) * c.InHeight * c.InWidth);
                        int dyBase = dyo + (((n * c.OutChannels) + co) * c.OutHeight * c.OutWidth);
                        for (int oh = 0; oh < c.OutHeight; oh++)
                        {
                            int ih = (oh * c.Stride) - c.Padding + kh;
                            if ((uint)ih >= (uint)c.InHeight)
                            {
                                continue;
                            }

                            for (int ow = 0; ow < c.OutWidth; ow++)
                            {
                                int iw = (ow * c.Stride) - c.Padding + kw;
                                if ((uint)iw < (uint)c.InWidth)
                                {
                                    sum += dy[dyBase + (oh * c.OutWidth) + ow] * x[xBase + (ih * c.InWidth) + iw];
                                }
                            }
                        }
                    }

                    dw[dwo + (job * k * k) + (kh * k) + kw] += sum;
                }
            }
        });
    }

    /// <inheritdoc/>
    internal override void AddChannelBiasCore(in BatchNormGeometry g, Tensor output, Tensor bias)
    {
        Span<T> y = SpanOf(output);
        Span<T> b = SpanOf(bias);
        for (int n = 0; n < g.Batch; n++)
        {
            for (int c = 0; c < g.Channels; c++)
            {
                Span<T> row = y.Slice(((n * g.Channels) + c) * g.Spatial, g.Spatial);
                for (int s = 0; s < row.Length; s++)
                {
                    row[s] += b[c];
                }
            }
        }
    }

    /// <inheritdoc/>
    internal override void SumPerChannelCore(in BatchNormGeometry g, Tensor gradOutput, Tensor gradBias)
    {
        Span<T> dy = SpanOf(gradOutput);
        Span<T> db = SpanOf(gradBias);
        for (int c = 0; c < g.Channels; c++)
        {
            T sum = T.Zero;
            for (int n = 0; n < g.Batch; n++)
            {
                foreach (T v in dy.Slice(((n * g.Channels) + c) * g.Spatial, g.Spatial))
                {
                    sum += v;
                }
            }

            db[c] += sum;
        }
    }

    /// <inheritdoc/>
    internal override void BatchNormForwardCore(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd)
    {
        T[] x = ArrayOf(input), y = ArrayOf(output);
        T[] gamma = ArrayOf(weight), beta = ArrayOf(bias), rm = ArrayOf(runningMean), rv = ArrayOf(runningVar);
        T[] mean = ArrayOf(saveMean), invStd = ArrayOf(saveInvStd);
        int xo = input.Offset, yo = output.Offset, go = weight.Offset, bo = bias.Offset, rmo = runningMean.Offset, rvo = runningVar.Offset;
        int mo = saveMean.Offset, io = saveInvStd.Offset;
        BatchNormGeometry b = g;
        T m = T.CreateTruncating(momentum), e = T.CreateTruncating(eps);
        Parallel.For(0, b.Channels, _parallel, c =>
        {
            T mu, inv;
            if (training)
            {
                T count = T.CreateTruncating(b.ValuesPerChannel);
                T sum = T.Zero;
                for (int n = 0; n < b.Batch; n++)
                {
                    int start = xo + (((n * b.Channels) + c) * b.Spatial);
                    for (int s = 0; s < b.Spatial; s++)
                    {
                        sum += x[start + s];
                    }
                }

                mu = sum / count;
                T squares = T.Zero;
                for (int n = 0; n < b.Batch; n++)
                {
                    int start = xo + (((n * b.Channels) + c) * b.Spatial);
                    for (int s = 0; s < b.Spatial; s++)
                    {
                        T d = x[start + s] - mu;
                        squares += d * d;
                    }
                }

                T variance = squares / count;
                inv = T.One / T.Sqrt(variance + e);
                rm[rmo + c] = ((T.One - m) * rm[rmo + c]) + (m * mu);
                rv[rvo + c] = ((T.One - m) * rv[rvo + c]) + (m * squares / (count - T.One));
            }
            else
            {
                mu = rm[rmo + c];
                inv = T.One / T.Sqrt(rv[rvo + c] + e);
            }

            mean[mo + c] = mu;
            invStd[io + c] = inv;
            T scale = gamma[go + c] * inv, shift = beta[bo + c];
            for (int n = 0; n < b.Batch; n++)
            {
                int start = ((n * b.Channels) + c) * b.Spatial;
                for (int s = 0; s < b.Spatial; s++)
                {
                    y[yo + start + s] = ((x[xo + start + s] - mu) * scale) + shift;
                }
            }
        });
    }

    /// <inheritdoc/>
    internal override void BatchNormBackwardCore(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias)
    {
        T[] dy = ArrayOf(gradOutput), x = ArrayOf(input), gamma = ArrayOf(weight), mean = ArrayOf(saveMean), invStd = ArrayOf(saveInvStd);
        T[] dx = ArrayOf(gradInput);
        T[]? dgamma = gradWeight is null ? null : ArrayOf(gradWeight);
        T[]? dbeta = gradBias is null ? null : ArrayOf(gradBias);
        int dyo = gradOutput.Offset, xo = input.Offset, go = weight.Offset, mo = saveMean.Offset, io = saveInvStd.Offset, dxo = gradInput.Offset;
        int dgo = gradWeight?.Offset ?? 0, dbo = gradBias?.Offset ?? 0;
        BatchNormGeometry b = g;
        Parallel.For(0, b.Channels, _parallel, c =>
        {
            T mu = mean[mo + c], inv = invStd[io + c];
            T sumDy = T.Zero, sumDyXhat = T.Zero;
            for (int n = 0; n < b.Batch; n++)
            {
                int start = ((n * b.Channels) + c) * b.Spatial;
                for (int s = 0; s < b.Spatial; s++)
                {
                    T d = dy[dyo + start + s];
                    sumDy += d;
                    sumDyXhat += d * (x[xo + start + s] - mu) * inv;
                }
            }

            if (dgamma is not null)
            {
                dgamma[dgo + c] += sumDyXhat;
            }

            if (dbeta is not null)
            {
                dbeta[dbo + c] += sumDy;
            }

            T scale = gamma[go + c] * inv;
            T count = T.CreateTruncating(b.ValuesPerChannel);
            T meanDy = sumDy / count, meanDyXhat = sumDyXhat / count;
            for (int n = 0; n < b.Batch; n++)
            {
                int start = ((n * b.Channels) + c) * b.Spatial;
                for (int s = 0; s < b.Spatial; s++)
                {
                    T d = dy[dyo + start + s];
                    dx[dxo + start + s] = training
                        ? scale * (d - meanDy - ((x[xo + start + s] - mu) * inv * meanDyXhat))
                        : scale * d;
                }
            }
        });
    }

    /// <inheritdoc/>
    internal override void ActivationForwardCore(Activation f, Tensor input, Tensor output)
    {
        Span<T> x = SpanOf(input), y = SpanOf(output);
        T slope = T.CreateTruncating(f.NegativeSlope);
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            y[i] = f.Kind switch
            {
                ActivationKind.ReLU => v < T.Zero ? T.Zero : v,
                ActivationKind.LeakyReLU => v > T.Zero ? v : v * slope,
                ActivationKind.Tanh => T.Tanh(v),
                ActivationKind.Sigmoid => SigmoidOf(v),
                _ => throw new UnreachableException("Backend checked the activation kind."),
            };
        }
    }

    /// <inheritdoc/>
    internal override void ActivationBackwardCore(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        Span<T> x = SpanOf(input), y = SpanOf(output), dy = SpanOf(gradOutput), dx = SpanOf(gradInput);
        T slope = T.CreateTruncating(f.NegativeSlope);
        for (int i = 0; i < x.Length; i++)
        {
            dx[i] = f.Kind switch
            {
                ActivationKind.ReLU => x[i] > T.Zero ? dy[i] : T.Zero,
                ActivationKind.LeakyReLU => x[i] > T.Zero ? dy[i] : dy[i] * slope,
                ActivationKind.Tanh => dy[i] * (T.One - (y[i] * y[i])),
                ActivationKind.Sigmoid => dy[i] * y[i] * (T.One - y[i]),
                _ => throw new UnreachableException("Backend checked the activation kind."),
            };
        }
    }

    /// <inheritdoc/>
    internal override void DropoutForwardCore(Tensor input, float p, ulong seed, Tensor mask, Tensor output)
    {
        Span<T> x = SpanOf(input), m = SpanOf(mask), y = SpanOf(output);
        T keep = T.One / (T.One - T.CreateTruncating(p));
        for (int i = 0; i < x.Length; i++)
        {
            m[i] = DropoutHash.Uniform(seed, (ulong)i) < p ? T.Zero : keep;
            y[i] = x[i] * m[i];
        }
    }

    /// <inheritdoc/>
    internal override void MultiplyCore(Tensor a, Tensor b, Tensor result)
    {
        Span<T> x = SpanOf(a), y = SpanOf(b), r = SpanOf(result);
        for (int i = 0; i < x.Length; i++)
        {
            r[i] = x[i] * y[i];
        }
    }

    /// <inheritdoc/>
    internal override void BCEWithLogitsCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        Span<T> x = SpanOf(logits), y = SpanOf(target), l = SpanOf(loss);
        Span<T> dx = gradInput is null ? default : SpanOf(gradInput);
        T count = T.CreateTruncating(x.Length);
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++)
        {
            T v = x[i];
            sum += T.Max(v, T.Zero) - (v * y[i]) + T.LogP1(T.Exp(-T.Abs(v)));
            if (gradInput is not null)
            {
                dx[i] = (SigmoidOf(v) - y[i]) / count;
            }
        }

        l[0] = sum / count;
    }

    /// <inheritdoc/>
    internal override void CrossEntropyCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        Span<T> x = SpanOf(logits), y = SpanOf(target), l = SpanOf(loss);
        Span<T> dx = gradInput is null ? default : SpanOf(gradInput);
        int rows = y.Length, classes = x.Length / rows;
        T count = T.CreateTruncating(rows);
        T sum = T.Zero;
        for (int n = 0; n < rows; n++)
        {
            Span<T> row = x.Slice(n * classes, classes);
            T max = row[0];
            for (int c = 1; c < classes; c++)
            {
                max = T.Max(max, row[c]);
            }

            // Every exp argument is ≤ 0 and the largest is exactly 1, so the sum lies in [1, C] and never overflows.
            T total = T.Zero;
            for (int c = 0; c < classes; c++)
            {
                total += T.Exp(row[c] - max);
            }

            T t = y[n];
            bool valid = t >= T.Zero && t < T.CreateTruncating(classes) && T.IsInteger(t);
            int k = valid ? int.CreateTruncating(t) : 0;
            sum += valid ? T.Log(total) - (row[k] - max) : T.NaN;
            if (gradInput is not null)
            {
                Span<T> d = dx.Slice(n * classes, classes);
                for (int c = 0; c < classes; c++)
                {
                    T p = T.Exp(row[c] - max) / total;
                    d[c] = valid ? (p - (c == k ? T.One : T.Zero)) / count : T.NaN;
                }
            }
        }

        l[0] = sum / count;
    }

    /// <inheritdoc/>
    internal override void AdamStepCore(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        Span<T> w = SpanOf(param), g = SpanOf(grad), m = SpanOf(expAvg), v = SpanOf(expAvgSq);
        T beta1 = T.CreateTruncating(p.Beta1), beta2 = T.CreateTruncating(p.Beta2), eps = T.CreateTruncating(p.Eps);
        T oneMinusBeta1 = T.CreateTruncating(p.OneMinusBeta1), oneMinusBeta2 = T.CreateTruncating(p.OneMinusBeta2);
        T decay = T.CreateTruncating(p.WeightDecay);
        T stepSize = T.CreateTruncating(p.LearningRate / p.BiasCorrection1);
        T correction2Sqrt = T.CreateTruncating(Math.Sqrt(p.BiasCorrection2));
        for (int i = 0; i < w.Length; i++)
        {
            T gi = g[i] + (decay * w[i]);
            m[i] = (beta1 * m[i]) + (oneMinusBeta1 * gi);
            v[i] = (beta2 * v[i]) + (oneMinusBeta2 * gi * gi);
            w[i] -= stepSize * m[i] / ((T.Sqrt(v[i]) / correction2Sqrt) + eps);
        }
    }

    /// <summary>Numerically stable logistic function.</summary>
    private static T SigmoidOf(T v) => v >= T.Zero ? T.One / (T.One + T.Exp(-v)) : T.Exp(v) / (T.One + T.Exp(v));

    /// <summary>The backing array of a host tensor (index it from <see cref="Tensor.Offset"/>), once <see cref="SpanOf"/>
    /// proved the view lies inside it.</summary>
    private static T[] ArrayOf(Tensor tensor)
    {
        _ = SpanOf(tensor);
        return (T[])tensor.Storage;
    }
}
