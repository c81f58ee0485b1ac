// Plain-loop kernels over host arrays, generic in the element type: the test oracle.
// T = float is the CPU backend's reference path; T = double runs modules in float64 for gradient checks.
// Work is split by output element (gather, never scatter) so every sum has one fixed order for any thread count.
namespace Dcgan.Backends.Cpu;

using System.Numerics;
using Dcgan.Tensors;

/// <summary>
/// A backend whose tensors live in host arrays of <typeparamref name="T"/>; every kernel is a plain loop
/// (the reference that faster kernels are tested against). Work is split across threads by output element,
/// so results are bit-identical for any thread count.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public abstract class HostBackend<T> : IBackend
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParallelOptions _parallel;

    /// <summary>Creates the backend.</summary>
    /// <param name="threads">Worker threads for the kernels; 0 means <see cref="Environment.ProcessorCount"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    protected HostBackend(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        Threads = threads == 0 ? Environment.ProcessorCount : threads;
        _parallel = new ParallelOptions { MaxDegreeOfParallelism = Threads };
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>The number of worker threads the kernels use.</summary>
    public int Threads { get; }

    /// <summary>Options that bound <see cref="Parallel"/> loops to <see cref="Threads"/>.</summary>
    protected ParallelOptions ParallelOptions => _parallel;

    /// <summary>The elements of a tensor of this backend, in row-major order, without copying.</summary>
    /// <exception cref="ArgumentException">The tensor belongs to another backend or was disposed.</exception>
    public Span<T> GetSpan(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!ReferenceEquals(tensor.Backend, this) || tensor.Storage is not T[] array)
        {
            throw new ArgumentException($"{tensor} does not belong to backend {Name}.", nameof(tensor));
        }

        if (tensor.IsDisposed)
        {
            throw new ObjectDisposedException(nameof(tensor), $"{tensor} was disposed.");
        }

        return array.AsSpan(tensor.Offset, tensor.Length);
    }

    /// <inheritdoc/>
    public Tensor Allocate(TensorShape shape) => new(this, new T[shape.ElementCount], 0, shape, ownsStorage: true);

    /// <inheritdoc/>
    public void Release(Tensor tensor)
    {
        // Host arrays are reclaimed by the garbage collector.
    }

    /// <inheritdoc/>
    public virtual void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        Span<T> d = GetSpan(destination);
        CheckLength(source.Length, d.Length, nameof(source));
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = T.CreateTruncating(source[i]);
        }
    }

    /// <inheritdoc/>
    public virtual void Download(Tensor source, Span<float> destination)
    {
        Span<T> s = GetSpan(source);
        CheckLength(destination.Length, s.Length, nameof(destination));
        for (int i = 0; i < s.Length; i++)
        {
            destination[i] = float.CreateTruncating(s[i]);
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, float value) => GetSpan(tensor).Fill(T.CreateTruncating(value));

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination)
    {
        Span<T> s = GetSpan(source);
        Span<T> d = GetSpan(destination);
        CheckLength(s.Length, d.Length, nameof(source));
        s.CopyTo(d);
    }

    /// <inheritdoc/>
    public virtual void ConvForward(in ConvGeometry g, Tensor input, Tensor weight, Tensor output)
    {
        CheckShape(input, g.InputShape, nameof(input));
        CheckShape(weight, g.WeightShape, nameof(weight));
        CheckShape(output, g.OutputShape, nameof(output));
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
    public virtual void ConvBackwardInput(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        CheckShape(gradOutput, g.OutputShape, nameof(gradOutput));
        CheckShape(weight, g.WeightShape, nameof(weight));
        CheckShape(gradInput, g.InputShape, nameof(gradInput));
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
    public virtual void ConvBackwardWeight(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight)
    {
        CheckShape(input, g.InputShape, nameof(input));
        CheckShape(gradOutput, g.OutputShape, nameof(gradOutput));
        CheckShape(gradWeight, g.WeightShape, nameof(gradWeight));
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
    public virtual void AddChannelBias(Tensor output, Tensor bias)
    {
        BatchNormGeometry g = BatchNormGeometry.FromShape(output.Shape);
        CheckShape(bias, new TensorShape(g.Channels), nameof(bias));
        Span<T> y = GetSpan(output);
        Span<T> b = GetSpan(bias);
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
    public virtual void SumPerChannel(Tensor gradOutput, Tensor gradBias)
    {
        BatchNormGeometry g = BatchNormGeometry.FromShape(gradOutput.Shape);
        CheckShape(gradBias, new TensorShape(g.Channels), nameof(gradBias));
        Span<T> dy = GetSpan(gradOutput);
        Span<T> db = GetSpan(gradBias);
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
    public virtual void BatchNormForward(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd)
    {
        CheckBatchNorm(g, input, weight, bias, runningMean, runningVar, saveMean, saveInvStd);
        CheckShape(output, input.Shape, nameof(output));
        if (training && g.ValuesPerChannel < 2)
        {
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input size {input.Shape}.", nameof(input));
        }

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
    public virtual void BatchNormBackward(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias)
    {
        CheckShape(gradOutput, input.Shape, nameof(gradOutput));
        CheckShape(gradInput, input.Shape, nameof(gradInput));
        var channels = new TensorShape(g.Channels);
        CheckShape(weight, channels, nameof(weight));
        CheckShape(saveMean, channels, nameof(saveMean));
        CheckShape(saveInvStd, channels, nameof(saveInvStd));
        if (gradWeight is not null)
        {
            CheckShape(gradWeight, channels, nameof(gradWeight));
        }

        if (gradBias is not null)
        {
            CheckShape(gradBias, channels, nameof(gradBias));
        }

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
    public virtual void ActivationForward(Activation f, Tensor input, Tensor output)
    {
        Span<T> x = GetSpan(input), y = GetSpan(output);
        CheckLength(y.Length, x.Length, nameof(output));
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
                _ => throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "Unknown activation."),
            };
        }
    }

    /// <inheritdoc/>
    public virtual void ActivationBackward(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        Span<T> x = GetSpan(input), y = GetSpan(output), dy = GetSpan(gradOutput), dx = GetSpan(gradInput);
        CheckLength(y.Length, x.Length, nameof(output));
        CheckLength(dy.Length, x.Length, nameof(gradOutput));
        CheckLength(dx.Length, x.Length, nameof(gradInput));
        T slope = T.CreateTruncating(f.NegativeSlope);
        for (int i = 0; i < x.Length; i++)
        {
            dx[i] = f.Kind switch
            {
                ActivationKind.ReLU => x[i] > T.Zero ? dy[i] : T.Zero,
                ActivationKind.LeakyReLU => x[i] > T.Zero ? dy[i] : dy[i] * slope,
                ActivationKind.Tanh => dy[i] * (T.One - (y[i] * y[i])),
                ActivationKind.Sigmoid => dy[i] * y[i] * (T.One - y[i]),
                _ => throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "Unknown activation."),
            };
        }
    }

    /// <inheritdoc/>
    public virtual void DropoutForward(Tensor input, float p, ulong seed, Tensor mask, Tensor output)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        }

        Span<T> x = GetSpan(input), m = GetSpan(mask), y = GetSpan(output);
        CheckLength(m.Length, x.Length, nameof(mask));
        CheckLength(y.Length, x.Length, nameof(output));
        T keep = T.One / (T.One - T.CreateTruncating(p));
        for (int i = 0; i < x.Length; i++)
        {
            m[i] = DropoutHash.Uniform(seed, (ulong)i) < p ? T.Zero : keep;
            y[i] = x[i] * m[i];
        }
    }

    /// <inheritdoc/>
    public virtual void Multiply(Tensor a, Tensor b, Tensor result)
    {
        Span<T> x = GetSpan(a), y = GetSpan(b), r = GetSpan(result);
        CheckLength(y.Length, x.Length, nameof(b));
        CheckLength(r.Length, x.Length, nameof(result));
        for (int i = 0; i < x.Length; i++)
        {
            r[i] = x[i] * y[i];
        }
    }

    /// <inheritdoc/>
    public virtual void BCEWithLogits(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        Span<T> x = GetSpan(logits), y = GetSpan(target), l = GetSpan(loss);
        CheckLength(y.Length, x.Length, nameof(target));
        CheckLength(l.Length, 1, nameof(loss));
        if (x.Length == 0)
        {
            throw new ArgumentException("BCEWithLogits needs at least one logit.", nameof(logits));
        }

        Span<T> dx = gradInput is null ? default : GetSpan(gradInput);
        if (gradInput is not null)
        {
            CheckLength(dx.Length, x.Length, nameof(gradInput));
        }

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
    public virtual void AdamStep(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        Span<T> w = GetSpan(param), g = GetSpan(grad), m = GetSpan(expAvg), v = GetSpan(expAvgSq);
        CheckLength(g.Length, w.Length, nameof(grad));
        CheckLength(m.Length, w.Length, nameof(expAvg));
        CheckLength(v.Length, w.Length, nameof(expAvgSq));
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

    /// <inheritdoc/>
    public void Synchronize()
    {
    }

    /// <summary>Does nothing: host arrays need no release.</summary>
    public void Dispose() => GC.SuppressFinalize(this);

    /// <summary>Numerically stable logistic function.</summary>
    protected static T SigmoidOf(T v) => v >= T.Zero ? T.One / (T.One + T.Exp(-v)) : T.Exp(v) / (T.One + T.Exp(v));

    /// <summary>The backing array of a tensor of this backend (index it from <see cref="Tensor.Offset"/>).</summary>
    /// <exception cref="ArgumentException">The tensor belongs to another backend.</exception>
    protected T[] ArrayOf(Tensor tensor)
    {
        _ = GetSpan(tensor);
        return (T[])tensor.Storage;
    }

    /// <summary>Throws unless a tensor belongs to this backend and has the expected shape.</summary>
    /// <exception cref="ArgumentException">The shape differs; the message gives both shapes.</exception>
    protected void CheckShape(Tensor tensor, TensorShape expected, string name)
    {
        _ = GetSpan(tensor);
        if (tensor.Shape != expected)
        {
            throw new ArgumentException($"{name} has shape {tensor.Shape}; expected {expected}.", name);
        }
    }

    /// <summary>Throws unless two lengths are equal.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    protected static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);
        }
    }

    private void CheckBatchNorm(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, Tensor saveMean, Tensor saveInvStd)
    {
        BatchNormGeometry actual = BatchNormGeometry.FromShape(input.Shape);
        if (actual != g)
        {
            throw new ArgumentException($"input has shape {input.Shape}; expected {g}.", nameof(input));
        }

        var channels = new TensorShape(g.Channels);
        CheckShape(weight, channels, nameof(weight));
        CheckShape(bias, channels, nameof(bias));
        CheckShape(runningMean, channels, nameof(runningMean));
        CheckShape(runningVar, channels, nameof(runningVar));
        CheckShape(saveMean, channels, nameof(saveMean));
        CheckShape(saveInvStd, channels, nameof(saveInvStd));
    }
}
