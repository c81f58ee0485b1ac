// Elementwise and per-channel kernels of the CPU backend: activations, dropout (a vectorised SplitMix64 hash that
// gives exactly DropoutHash's mask), bias add and sum, Adam. Ranges are cut into fixed 16K-element chunks.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using Dcgan.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

/// <content>Elementwise kernels.</content>
public sealed unsafe partial class CpuBackend
{
    private ElementwiseJob _elementwise = null!;

    /// <inheritdoc/>
    internal override void ActivationForwardCore(Activation f, Tensor input, Tensor output)
    {
        using Gate gate = Enter();
        Span<float> x = SpanOf(input), y = SpanOf(output);
        fixed (float* xp = x, yp = y)
        {
            _elementwise.Run(_pool, ElementwiseOp.ActivationForward, x.Length, f, xp, null, null, yp);
        }
    }

    /// <inheritdoc/>
    internal override void ActivationBackwardCore(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        using Gate gate = Enter();
        Span<float> x = SpanOf(input), y = SpanOf(output), dy = SpanOf(gradOutput), dx = SpanOf(gradInput);
        fixed (float* xp = x, yp = y, dyp = dy, dxp = dx)
        {
            _elementwise.Run(_pool, ElementwiseOp.ActivationBackward, x.Length, f, xp, yp, dyp, dxp);
        }
    }

    /// <inheritdoc/>
    internal override void MultiplyCore(Tensor a, Tensor b, Tensor result)
    {
        using Gate gate = Enter();
        Span<float> x = SpanOf(a), y = SpanOf(b), r = SpanOf(result);
        fixed (float* xp = x, yp = y, rp = r)
        {
            _elementwise.Run(_pool, ElementwiseOp.Multiply, x.Length, default, xp, yp, null, rp);
        }
    }

    /// <inheritdoc/>
    internal override void DropoutForwardCore(Tensor input, float p, ulong seed, Tensor mask, Tensor output)
    {
        using Gate gate = Enter();
        Span<float> x = SpanOf(input), m = SpanOf(mask), y = SpanOf(output);
        fixed (float* xp = x, mp = m, yp = y)
        {
            _elementwise.Dropout(_pool, x.Length, xp, mp, yp, p, seed);
        }
    }

    /// <inheritdoc/>
    internal override void AdamStepCore(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        using Gate gate = Enter();
        Span<float> w = SpanOf(param), g = SpanOf(grad), m = SpanOf(expAvg), v = SpanOf(expAvgSq);
        fixed (float* wp = w, gp = g, mp = m, vp = v)
        {
            _elementwise.Adam(_pool, w.Length, p, wp, gp, mp, vp);
        }
    }

    /// <inheritdoc/>
    internal override void AddChannelBiasCore(in BatchNormGeometry g, Tensor output, Tensor bias)
    {
        using Gate gate = Enter();
        Span<float> y = SpanOf(output), b = SpanOf(bias);
        fixed (float* yp = y, bp = b)
        {
            _elementwise.Channels(_pool, ElementwiseOp.AddChannelBias, g, yp, bp);
        }
    }

    /// <inheritdoc/>
    internal override void SumPerChannelCore(in BatchNormGeometry g, Tensor gradOutput, Tensor gradBias)
    {
        using Gate gate = Enter();
        Span<float> dy = SpanOf(gradOutput), db = SpanOf(gradBias);
        fixed (float* dyp = dy, dbp = db)
        {
            _elementwise.Channels(_pool, ElementwiseOp.SumPerChannel, g, dyp, dbp);
        }
    }

    private void InitElementwiseJobs() => _elementwise = new ElementwiseJob(Width);
}

/// <summary>What <see cref="ElementwiseJob"/> computes.</summary>
internal enum ElementwiseOp
{
    ActivationForward,
    ActivationBackward,
    Multiply,
    Dropout,
    Adam,
    AddChannelBias,
    SumPerChannel,
}

/// <summary>One reusable job for every elementwise kernel; chunks are fixed 16K-element ranges or channel blocks.</summary>
internal sealed unsafe class ElementwiseJob : WidthJob
{
    private const int ChunkLength = 16384;
    private const int ChannelBlock = 64;

    private ElementwiseOp _op;
    private int _length;
    private Activation _f;
    private float* _a;
    private float* _b;
    private float* _c;
    private float* _d;
    private float _p;
    private float _keep;
    private ulong _seed;
    private AdamStepParameters _adam;
    private BatchNormGeometry _g;

    /// <summary>Creates the job for one vector width.</summary>
    public ElementwiseJob(SimdWidth width)
        : base(width)
    {
    }

    /// <summary>Runs an elementwise operation over <paramref name="length"/> elements.</summary>
    public void Run(WorkerPool pool, ElementwiseOp op, int length, Activation f, float* a, float* b, float* c, float* d)
    {
        _op = op;
        _length = length;
        _f = f;
        _a = a;
        _b = b;
        _c = c;
        _d = d;
        pool.Run(this, (length + ChunkLength - 1) / ChunkLength);
    }

    /// <summary>Inverted dropout with DropoutHash's mask.</summary>
    public void Dropout(WorkerPool pool, int length, float* x, float* mask, float* y, float p, ulong seed)
    {
        _p = p;
        _keep = 1f / (1f - p);
        _seed = seed;
        Run(pool, ElementwiseOp.Dropout, length, default, x, mask, null, y);
    }

    /// <summary>One Adam update.</summary>
    public void Adam(WorkerPool pool, int length, in AdamStepParameters p, float* w, float* g, float* m, float* v)
    {
        _adam = p;
        Run(pool, ElementwiseOp.Adam, length, default, w, g, m, v);
    }

    /// <summary>A per-channel operation over <c>[N, C, S]</c>; chunks are blocks of channels (or of samples for the bias add).</summary>
    public void Channels(WorkerPool pool, ElementwiseOp op, in BatchNormGeometry g, float* data, float* perChannel)
    {
        _op = op;
        _g = g;
        _a = data;
        _b = perChannel;
        int chunks = op == ElementwiseOp.AddChannelBias ? g.Batch : (g.Channels + ChannelBlock - 1) / ChannelBlock;
        pool.Run(this, chunks);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Execute<TW, TV>(int chunk, int worker)
    {
        if (_op == ElementwiseOp.AddChannelBias)
        {
            AddBias<TW, TV>(chunk);
            return;
        }

        if (_op == ElementwiseOp.SumPerChannel)
        {
            SumChannels<TW, TV>(chunk);
            return;
        }

        int start = chunk * ChunkLength, n = Math.Min(ChunkLength, _length - start);
        switch (_op)
        {
            case ElementwiseOp.ActivationForward:
                ActivationForward<TW, TV>(_a + start, _d + start, n);
                break;
            case ElementwiseOp.ActivationBackward:
                ActivationBackward<TW, TV>(_a + start, _b + start, _c + start, _d + start, n);
                break;
            case ElementwiseOp.Multiply:
                Elementwise.Map<MultiplyOperator, TW, TV>(default, _a + start, _b + start, _d + start, n);
                break;
            case ElementwiseOp.Dropout:
                DropoutRange<TW, TV>(start, n);
                break;
            default:
                AdamRange<TW, TV>(start, n);
                break;
        }
    }

    private void ActivationForward<TW, TV>(float* x, float* y, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        switch (_f.Kind)
        {
            case ActivationKind.ReLU:
                Elementwise.Map<ReLUOperator, TW, TV>(default, x, y, n);
                break;
            case ActivationKind.LeakyReLU:
                Elementwise.Map<LeakyReLUOperator, TW, TV>(new LeakyReLUOperator(_f.NegativeSlope), x, y, n);
                break;
            case ActivationKind.Tanh:
                Elementwise.Map<TanhOperator, TW, TV>(default, x, y, n);
                break;
            default:
                TensorPrimitives.Sigmoid(new ReadOnlySpan<float>(x, n), new Span<float>(y, n));
                break;
        }
    }

    private void ActivationBackward<TW, TV>(float* x, float* y, float* dy, float* dx, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        switch (_f.Kind)
        {
            case ActivationKind.ReLU:
                Elementwise.Map<ReLUBackwardOperator, TW, TV>(default, x, dy, dx, n);
                break;
            case ActivationKind.LeakyReLU:
                Elementwise.Map<LeakyReLUBackwardOperator, TW, TV>(new LeakyReLUBackwardOperator(_f.NegativeSlope), x, dy, dx, n);
                break;
            case ActivationKind.Tanh:
                Elementwise.Map<TanhBackwardOperator, TW, TV>(default, y, dy, dx, n);
                break;
            default:
                Elementwise.Map<SigmoidBackwardOperator, TW, TV>(default, y, dy, dx, n);
                break;
        }
    }

    // The mask of DropoutHash: the width's vector hash for whole registers, the scalar one (same bits) for the tail.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DropoutRange<TW, TV>(int start, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        float* x = _a + start, mask = _b + start, y = _d + start;
        int i = 0;
        TV p = TW.Broadcast(_p), keep = TW.Broadcast(_keep);
        for (; i + TW.Count <= n; i += TW.Count)
        {
            TV m = TW.DropoutMask(_seed, (ulong)(start + i), p, keep);
            TW.Store(m, mask + i);
            TW.Store(TW.Multiply(TW.Load(x + i), m), y + i);
        }

        for (; i < n; i++)
        {
            mask[i] = W1.DropoutMask(_seed, (ulong)(start + i), _p, _keep);
            y[i] = x[i] * mask[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AdamRange<TW, TV>(int start, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        // Same expression and rounding order as HostBackend.AdamStep, at every width and in the tail.
        ref readonly AdamStepParameters p = ref _adam;
        float beta1 = (float)p.Beta1, beta2 = (float)p.Beta2, eps = (float)p.Eps;
        float oneMinusBeta1 = (float)p.OneMinusBeta1, oneMinusBeta2 = (float)p.OneMinusBeta2, decay = (float)p.WeightDecay;
        float stepSize = (float)(p.LearningRate / p.BiasCorrection1), correction2Sqrt = (float)Math.Sqrt(p.BiasCorrection2);
        float* w = _a + start, g = _b + start, m = _c + start, v = _d + start;
        TV vb1 = TW.Broadcast(beta1), vb2 = TW.Broadcast(beta2), veps = TW.Broadcast(eps);
        TV v1b1 = TW.Broadcast(oneMinusBeta1), v1b2 = TW.Broadcast(oneMinusBeta2), vdecay = TW.Broadcast(decay);
        TV vstep = TW.Broadcast(stepSize), vc2 = TW.Broadcast(correction2Sqrt);
        int i = 0;
        for (; i + TW.Count <= n; i += TW.Count)
        {
            TV wi = TW.Load(w + i);
            TV gi = TW.Add(TW.Load(g + i), TW.Multiply(vdecay, wi));
            TV mi = TW.Add(TW.Multiply(vb1, TW.Load(m + i)), TW.Multiply(v1b1, gi));
            TV vi = TW.Add(TW.Multiply(vb2, TW.Load(v + i)), TW.Multiply(TW.Multiply(v1b2, gi), gi));
            TW.Store(mi, m + i);
            TW.Store(vi, v + i);
            TV denominator = TW.Add(TW.Divide(TW.Sqrt(vi), vc2), veps);
            TW.Store(TW.Subtract(wi, TW.Divide(TW.Multiply(vstep, mi), denominator)), w + i);
        }

        for (; i < n; i++)
        {
            float gi = g[i] + (decay * w[i]);
            m[i] = (beta1 * m[i]) + (oneMinusBeta1 * gi);
            v[i] = (beta2 * v[i]) + (oneMinusBeta2 * gi * gi);
            w[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) / correction2Sqrt) + eps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddBias<TW, TV>(int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        ref readonly BatchNormGeometry g = ref _g;
        float* y = _a + ((long)n * g.Channels * g.Spatial);
        if (g.Spatial == 1)
        {
            Simd.Add<TW, TV>(y, _b, y, g.Channels);
            return;
        }

        for (int c = 0; c < g.Channels; c++)
        {
            Simd.AddScalar<TW, TV>(y + ((long)c * g.Spatial), _b[c], g.Spatial);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SumChannels<TW, TV>(int block)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        ref readonly BatchNormGeometry g = ref _g;
        int c0 = block * ChannelBlock, c1 = Math.Min(g.Channels, c0 + ChannelBlock);
        if (g.Spatial == 1)
        {
            // Column sums over samples, in sample order.
            Span<float> acc = stackalloc float[ChannelBlock];
            acc.Clear();
            for (int n = 0; n < g.Batch; n++)
            {
                float* row = _a + ((long)n * g.Channels) + c0;
                for (int c = 0; c < c1 - c0; c++)
                {
                    acc[c] += row[c];
                }
            }

            for (int c = c0; c < c1; c++)
            {
                _b[c] += acc[c - c0];
            }

            return;
        }

        for (int c = c0; c < c1; c++)
        {
            float sum = 0f;
            for (int n = 0; n < g.Batch; n++)
            {
                sum += Simd.Sum<TW, TV>(_a + ((((long)n * g.Channels) + c) * g.Spatial), g.Spatial);
            }

            _b[c] += sum;
        }
    }
}
