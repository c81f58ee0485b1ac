// BatchNorm of the CPU backend (Ioffe & Szegedy 2015, PyTorch's conventions as in HostBackend): vectorised
// two-pass statistics and the normalisation, one chunk per block of channels so every sum has a fixed order.
// [N, C] inputs (BatchNorm1d) are vectorised across channels, [N, C, S] inputs along S.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using Dcgan.Tensors;

/// <content>BatchNorm kernels.</content>
public sealed unsafe partial class CpuBackend
{
    private BatchNormJob _batchNorm = null!;

    /// <inheritdoc/>
    internal override void BatchNormForwardCore(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd)
    {
        using Gate gate = Enter();
        fixed (float* x = SpanOf(input), y = SpanOf(output), gamma = SpanOf(weight), beta = SpanOf(bias))
        fixed (float* rm = SpanOf(runningMean), rv = SpanOf(runningVar), mean = SpanOf(saveMean), inv = SpanOf(saveInvStd))
        {
            _batchNorm.Forward(_pool, g, x, y, gamma, beta, rm, rv, mean, inv, training, momentum, eps);
        }
    }

    /// <inheritdoc/>
    internal override void BatchNormBackwardCore(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias)
    {
        using Gate gate = Enter();
        Span<float> dgSpan = gradWeight is null ? default : SpanOf(gradWeight);
        Span<float> dbSpan = gradBias is null ? default : SpanOf(gradBias);
        fixed (float* dy = SpanOf(gradOutput), x = SpanOf(input), gamma = SpanOf(weight), mean = SpanOf(saveMean), inv = SpanOf(saveInvStd))
        fixed (float* dx = SpanOf(gradInput), dg = dgSpan, db = dbSpan)
        {
            _batchNorm.Backward(_pool, g, training, dy, x, gamma, mean, inv, dx, dg, db);
        }
    }
}

/// <summary>BatchNorm forward and backward; chunks are blocks of 64 channels ([N, C]) or single channels ([N, C, S]).</summary>
internal sealed unsafe class BatchNormJob : WidthJob
{
    private const int ChannelBlock = 64;

    private bool _backward;
    private BatchNormGeometry _g;
    private bool _training;
    private float _momentum;
    private float _eps;
    private float* _x;
    private float* _y;
    private float* _dy;
    private float* _gamma;
    private float* _beta;
    private float* _rm;
    private float* _rv;
    private float* _mean;
    private float* _inv;
    private float* _dg;
    private float* _db;

    /// <summary>Creates the job for one vector width.</summary>
    public BatchNormJob(SimdWidth width)
        : base(width)
    {
    }

    /// <summary>Normalises <paramref name="x"/> into <paramref name="y"/>, saving the statistics used.</summary>
    public void Forward(WorkerPool pool, in BatchNormGeometry g, float* x, float* y, float* gamma, float* beta, float* rm, float* rv,
        float* mean, float* inv, bool training, float momentum, float eps)
    {
        _backward = false;
        _g = g;
        _x = x;
        _y = y;
        _gamma = gamma;
        _beta = beta;
        _rm = rm;
        _rv = rv;
        _mean = mean;
        _inv = inv;
        _training = training;
        _momentum = momentum;
        _eps = eps;
        pool.Run(this, Chunks(g));
    }

    /// <summary>Writes dx; adds to dgamma and dbeta when they are not null.</summary>
    public void Backward(WorkerPool pool, in BatchNormGeometry g, bool training, float* dy, float* x, float* gamma, float* mean, float* inv,
        float* dx, float* dg, float* db)
    {
        _backward = true;
        _g = g;
        _training = training;
        _dy = dy;
        _x = x;
        _gamma = gamma;
        _mean = mean;
        _inv = inv;
        _y = dx;
        _dg = dg;
        _db = db;
        pool.Run(this, Chunks(g));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Execute<TW, TV>(int chunk, int worker)
    {
        if (_g.Spatial == 1)
        {
            // [N, C]: Count consecutive channels are the lanes; the last few channels one at a time.
            int c0 = chunk * ChannelBlock, c1 = Math.Min(_g.Channels, c0 + ChannelBlock), c = c0;
            for (; c + TW.Count <= c1; c += TW.Count)
            {
                if (_backward)
                {
                    BackwardColumns<TW, TV>(c);
                }
                else
                {
                    ForwardColumns<TW, TV>(c);
                }
            }

            for (; c < c1; c++)
            {
                if (_backward)
                {
                    BackwardColumns<W1, float>(c);
                }
                else
                {
                    ForwardColumns<W1, float>(c);
                }
            }

            return;
        }

        if (_backward)
        {
            BackwardChannel<TW, TV>(chunk);
        }
        else
        {
            ForwardChannel<TW, TV>(chunk);
        }
    }

    private static int Chunks(in BatchNormGeometry g) => g.Spatial == 1 ? (g.Channels + ChannelBlock - 1) / ChannelBlock : g.Channels;

    private void Statistics(int c, float mu, float squares)
    {
        float count = _g.ValuesPerChannel;
        float variance = squares / count;
        _inv[c] = 1f / MathF.Sqrt(variance + _eps);
        _rm[c] = ((1f - _momentum) * _rm[c]) + (_momentum * mu);
        _rv[c] = ((1f - _momentum) * _rv[c]) + (_momentum * squares / (count - 1f));
        _mean[c] = mu;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardChannel<TW, TV>(int c)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        ref readonly BatchNormGeometry g = ref _g;
        long stride = (long)g.Channels * g.Spatial;
        float* x0 = _x + ((long)c * g.Spatial), y0 = _y + ((long)c * g.Spatial);
        float mu, inv;
        if (_training)
        {
            float sum = 0f;
            for (int n = 0; n < g.Batch; n++)
            {
                sum += Simd.Sum<TW, TV>(x0 + (n * stride), g.Spatial);
            }

            mu = sum / g.ValuesPerChannel;
            float squares = 0f;
            for (int n = 0; n < g.Batch; n++)
            {
                squares += Simd.SquaredDeviations<TW, TV>(x0 + (n * stride), g.Spatial, mu);
            }

            Statistics(c, mu, squares);
            inv = _inv[c];
        }
        else
        {
            mu = _rm[c];
            inv = 1f / MathF.Sqrt(_rv[c] + _eps);
            _mean[c] = mu;
            _inv[c] = inv;
        }

        float scale = _gamma[c] * inv, shift = _beta[c];
        TV vmu = TW.Broadcast(mu), vscale = TW.Broadcast(scale), vshift = TW.Broadcast(shift);
        for (int n = 0; n < g.Batch; n++)
        {
            float* x = x0 + (n * stride), y = y0 + (n * stride);
            int s = 0;
            for (; s + TW.Count <= g.Spatial; s += TW.Count)
            {
                TW.Store(TW.Add(TW.Multiply(TW.Subtract(TW.Load(x + s), vmu), vscale), vshift), y + s);
            }

            for (; s < g.Spatial; s++)
            {
                y[s] = ((x[s] - mu) * scale) + shift;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardChannel<TW, TV>(int c)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        ref readonly BatchNormGeometry g = ref _g;
        long stride = (long)g.Channels * g.Spatial;
        float* x0 = _x + ((long)c * g.Spatial), dy0 = _dy + ((long)c * g.Spatial), dx0 = _y + ((long)c * g.Spatial);
        float mu = _mean[c], inv = _inv[c];

        // Per element the same expressions as HostBackend (d·(x − μ)·inv, then (x − μ)·inv·mean): with few values per
        // channel the result is a difference of nearly equal terms, and a different rounding order shows.
        float sumDy = 0f, sumDyXhat = 0f;
        TV vmu = TW.Broadcast(mu), vinv = TW.Broadcast(inv);
        for (int n = 0; n < g.Batch; n++)
        {
            float* x = x0 + (n * stride), dy = dy0 + (n * stride);
            TV a = TW.Zero, b = TW.Zero;
            int s = 0;
            for (; s + TW.Count <= g.Spatial; s += TW.Count)
            {
                TV d = TW.Load(dy + s);
                a = TW.Add(a, d);
                b = TW.Add(b, TW.Multiply(TW.Multiply(d, TW.Subtract(TW.Load(x + s), vmu)), vinv));
            }

            float rowDy = TW.Sum(a), rowDyXhat = TW.Sum(b);
            for (; s < g.Spatial; s++)
            {
                rowDy += dy[s];
                rowDyXhat += dy[s] * (x[s] - mu) * inv;
            }

            sumDy += rowDy;
            sumDyXhat += rowDyXhat;
        }

        if (_dg != null)
        {
            _dg[c] += sumDyXhat;
        }

        if (_db != null)
        {
            _db[c] += sumDy;
        }

        float scale = _gamma[c] * inv, count = g.ValuesPerChannel;
        float meanDy = sumDy / count, meanDyXhat = sumDyXhat / count;
        TV vscale = TW.Broadcast(scale), vmean = TW.Broadcast(meanDy), vmx = TW.Broadcast(meanDyXhat);
        for (int n = 0; n < g.Batch; n++)
        {
            float* x = x0 + (n * stride), dy = dy0 + (n * stride), dx = dx0 + (n * stride);
            int s = 0;
            if (_training)
            {
                for (; s + TW.Count <= g.Spatial; s += TW.Count)
                {
                    TV xhatMean = TW.Multiply(TW.Multiply(TW.Subtract(TW.Load(x + s), vmu), vinv), vmx);
                    TW.Store(TW.Multiply(vscale, TW.Subtract(TW.Subtract(TW.Load(dy + s), vmean), xhatMean)), dx + s);
                }

                for (; s < g.Spatial; s++)
                {
                    dx[s] = scale * (dy[s] - meanDy - ((x[s] - mu) * inv * meanDyXhat));
                }
            }
            else
            {
                for (; s + TW.Count <= g.Spatial; s += TW.Count)
                {
                    TW.Store(TW.Multiply(vscale, TW.Load(dy + s)), dx + s);
                }

                for (; s < g.Spatial; s++)
                {
                    dx[s] = scale * dy[s];
                }
            }
        }
    }

    // [N, C] with Count consecutive channels as the lanes: columns summed over samples in order, so every width
    // gives the same bits.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardColumns<TW, TV>(int c)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        ref readonly BatchNormGeometry g = ref _g;
        long stride = g.Channels;
        float* x0 = _x + c, y0 = _y + c;
        TV mu, inv;
        if (_training)
        {
            TV sum = TW.Zero;
            for (int n = 0; n < g.Batch; n++)
            {
                sum = TW.Add(sum, TW.Load(x0 + (n * stride)));
            }

            mu = TW.Divide(sum, TW.Broadcast(g.ValuesPerChannel));
            TV squares = TW.Zero;
            for (int n = 0; n < g.Batch; n++)
            {
                TV d = TW.Subtract(TW.Load(x0 + (n * stride)), mu);
                squares = TW.Add(squares, TW.Multiply(d, d));
            }

            float* lanes = stackalloc float[2 * TW.Count];
            TW.Store(mu, lanes);
            TW.Store(squares, lanes + TW.Count);
            for (int j = 0; j < TW.Count; j++)
            {
                Statistics(c + j, lanes[j], lanes[TW.Count + j]);
            }

            inv = TW.Load(_inv + c);
        }
        else
        {
            mu = TW.Load(_rm + c);
            inv = TW.Divide(TW.Broadcast(1f), TW.Sqrt(TW.Add(TW.Load(_rv + c), TW.Broadcast(_eps))));
            TW.Store(mu, _mean + c);
            TW.Store(inv, _inv + c);
        }

        TV scale = TW.Multiply(TW.Load(_gamma + c), inv), shift = TW.Load(_beta + c);
        for (int n = 0; n < g.Batch; n++)
        {
            TW.Store(TW.Add(TW.Multiply(TW.Subtract(TW.Load(x0 + (n * stride)), mu), scale), shift), y0 + (n * stride));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardColumns<TW, TV>(int c)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        ref readonly BatchNormGeometry g = ref _g;
        long stride = g.Channels;
        float* x0 = _x + c, dy0 = _dy + c, dx0 = _y + c;
        TV mu = TW.Load(_mean + c), inv = TW.Load(_inv + c);
        TV sumDy = TW.Zero, sumDyXhat = TW.Zero;
        for (int n = 0; n < g.Batch; n++)
        {
            TV d = TW.Load(dy0 + (n * stride));
            sumDy = TW.Add(sumDy, d);
            sumDyXhat = TW.Add(sumDyXhat, TW.Multiply(TW.Multiply(d, TW.Subtract(TW.Load(x0 + (n * stride)), mu)), inv));
        }

        if (_dg != null)
        {
            TW.Store(TW.Add(TW.Load(_dg + c), sumDyXhat), _dg + c);
        }

        if (_db != null)
        {
            TW.Store(TW.Add(TW.Load(_db + c), sumDy), _db + c);
        }

        TV count = TW.Broadcast(g.ValuesPerChannel);
        TV scale = TW.Multiply(TW.Load(_gamma + c), inv);
        TV meanDy = TW.Divide(sumDy, count), meanDyXhat = TW.Divide(sumDyXhat, count);
        for (int n = 0; n < g.Batch; n++)
        {
            TV d = TW.Load(dy0 + (n * stride));
            TV r = _training
                ? TW.Multiply(scale, TW.Subtract(TW.Subtract(d, meanDy), TW.Multiply(TW.Multiply(TW.Subtract(TW.Load(x0 + (n * stride)), mu), inv), meanDyXhat)))
                : TW.Multiply(scale, d);
            TW.Store(r, dx0 + (n * stride));
        }
    }
}
