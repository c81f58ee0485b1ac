// Convolution kernels of the CPU backend. Which geometry takes which path (Conv2d's geometry; a ConvTranspose2d
// runs Conv2d's backward-input as its forward and Conv2d's forward as its backward-input, Dumoulin & Visin 2016):
//
// | geometry                                   | forward / backward-input          | weight gradient              | layers of the presets                      |
// |--------------------------------------------|-----------------------------------|------------------------------|--------------------------------------------|
// | dense: 1×1 output, kernel = whole unpadded | Gemm.cs (packed GEMM); GemvJob    | Gemm.cs; GemvJob             | every Linear; dcgan G's first ConvT and D's |
// |   input                                    |   when there is one output        |                              |   last Conv                                |
// | few input channels (< 16)                  | SmallChannelJobs.cs: per-image    | SmallChannelWeightGradientJob | D's first Conv, G's last ConvT (1 channel) |
// |                                            |   im2col GEMMs on NCHW            |   (im2col, grouped images)   |                                            |
// | everything else                            | ConvolutionJobs.cs: batch-minor   | ConvBackwardWeightJob        | the 64/128/256-channel layers              |
// |                                            |   implicit GEMM (padding taps and |   (channel-minor, per tap)   |                                            |
// |                                            |   sub-pixel zeros skipped)        |                              |                                            |
//
// Every path ends in MicroKernel.Run, generic over the vector width (Widths.cs).
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using Dcgan.Tensors;

/// <content>Conv2d and ConvTranspose2d kernels.</content>
public sealed unsafe partial class CpuBackend
{
    // Samples per block of the weight-gradient reduction: small enough for the block's operands to stay in L2.
    private const int WeightGradientBlock = 32;

    // Below this many input channels the convolutions run as per-image im2col GEMMs (SmallChannelJobs.cs).
    private const int SmallChannels = 16;

    /// <inheritdoc/>
    internal override void ConvForwardCore(in ConvGeometry g, Tensor input, Tensor weight, Tensor output)
    {
        using Gate gate = Enter();
        fixed (float* x = SpanOf(input), w = SpanOf(weight), y = SpanOf(output))
        {
            if (IsDense(g))
            {
                DenseForward(g, x, w, y);
                return;
            }

            if (g.InChannels < SmallChannels)
            {
                // Per-image im2col GEMM on the NCHW tensors: no batch transpose of the (large) output.
                float* packed = _packedWeights.Ensure(ConvForwardJob.PackedWeightLength(g));
                _packWeights.Run(_pool, g, w, packed, false);
                _smallChannelForward.Run(_pool, _width, g, x, packed, y);
                return;
            }

            int tiles = (g.Batch + 63) / 64, p = g.InHeight * g.InWidth, q = g.OutHeight * g.OutWidth;
            float* xc = _layoutA.Ensure((long)tiles * 64 * g.InChannels * p);
            float* yc = _layoutB.Ensure((long)tiles * 64 * g.OutChannels * q);
            _batchMinor.ToBlocked(_pool, x, xc, g.Batch, g.InChannels, p);
            float* wp = _packedWeights.Ensure(ConvForwardJob.PackedWeightLength(g));
            _packWeights.Run(_pool, g, w, wp, false);
            _convForward.Run(_pool, _width, g, xc, wp, yc);
            _batchMinor.FromBlocked(_pool, yc, y, g.Batch, g.OutChannels, q);
        }
    }

    /// <inheritdoc/>
    internal override void ConvBackwardInputCore(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        using Gate gate = Enter();
        fixed (float* dy = SpanOf(gradOutput), w = SpanOf(weight), dx = SpanOf(gradInput))
        {
            if (IsDense(g))
            {
                DenseBackwardInput(g, dy, w, dx);
                return;
            }

            if (g.InChannels < SmallChannels)
            {
                // Per-image GEMM into an im2col matrix, then col2im: no batch transpose of the (large) gradOutput.
                float* packed = _packedWeights.Ensure(SmallChannelBackwardInputJob.PackedWeightLength(g));
                SmallChannelBackwardInputJob.PackWeights(g, w, packed);
                _smallChannelBackwardInput.Run(_pool, _width, g, dy, packed, dx);
                return;
            }

            int tiles = (g.Batch + 63) / 64, p = g.InHeight * g.InWidth, q = g.OutHeight * g.OutWidth;
            float* dyc = _layoutA.Ensure((long)tiles * 64 * g.OutChannels * q);
            float* dxc = _layoutB.Ensure((long)tiles * 64 * g.InChannels * p);
            _batchMinor.ToBlocked(_pool, dy, dyc, g.Batch, g.OutChannels, q);
            float* wp = _packedWeights.Ensure(ConvBackwardInputJob.PackedWeightLength(g));
            _packWeights.Run(_pool, g, w, wp, true);
            _convBackwardInput.Run(_pool, _width, g, dyc, wp, dxc);
            _batchMinor.FromBlocked(_pool, dxc, dx, g.Batch, g.InChannels, p);
        }
    }

    /// <inheritdoc/>
    internal override void ConvBackwardWeightCore(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight)
    {
        using Gate gate = Enter();
        fixed (float* x = SpanOf(input), dy = SpanOf(gradOutput), dw = SpanOf(gradWeight))
        {
            if (IsDense(g))
            {
                DenseBackwardWeight(g, x, dy, dw);
                return;
            }

            int cop = RoundUp(g.OutChannels, 16), kk = g.KernelSize * g.KernelSize;
            if (g.InChannels < SmallChannels)
            {
                // Few input channels: the Ci·k·k taps of per-image im2col matrices are the rows of the register tile.
                int rowLength = RoundUp(g.InChannels * kk, Im2Col.TapRows(g.InChannels * kk));
                int groups = (g.Batch + SmallChannelWeightGradientJob.GroupSize - 1) / SmallChannelWeightGradientJob.GroupSize;
                float* part = _accumulator.Ensure((long)groups * rowLength * cop);
                _smallChannelWeightGradient.Run(_pool, _width, g, x, dy, part, rowLength, cop);
                _reducePartials.Run(_pool, part, dw, g.OutChannels, g.InChannels * kk, groups, rowLength, cop);
            }
            else
            {
                int nb = Math.Min(WeightGradientBlock, g.Batch), blocks = (g.Batch + nb - 1) / nb;
                long p = (long)g.InHeight * g.InWidth, q = (long)g.OutHeight * g.OutWidth;
                float* dyn = _layoutB.Ensure(ToChannelMinorJob.Length(g.Batch, g.OutChannels, (int)q, nb, MicroKernel.MR) + 64);
                _toChannelMinor.Run(_pool, dy, dyn, g.Batch, g.OutChannels, (int)q, nb, MicroKernel.MR);
                int cip = RoundUp(g.InChannels, 16);
                float* xn = _layoutA.Ensure(ToChannelMinorJob.Length(g.Batch, g.InChannels, (int)p, nb, MicroKernel.NR) + 64);
                _toChannelMinor.Run(_pool, x, xn, g.Batch, g.InChannels, (int)p, nb, MicroKernel.NR);
                float* dwt = _accumulator.Ensure((long)kk * g.OutChannels * cip);
                for (int b = 0; b < blocks; b++)
                {
                    _convBackwardWeight.Run(_pool, _width, g, xn, dyn, dwt, b, nb, cip);
                }

                _addTapMajor.Run(_pool, dwt, dw, g.OutChannels, g.InChannels, cip, kk);
            }
        }
    }

    /// <summary>
    /// True when the convolution is a matrix product: a 1×1 output from a kernel that covers the whole unpadded input,
    /// so input [N, Ci·k·k] times weight [Co, Ci·k·k]ᵀ is the output [N, Co].
    /// </summary>
    private static bool IsDense(in ConvGeometry g) =>
        g.OutHeight == 1 && g.OutWidth == 1 && g.Padding == 0 && g.KernelSize == g.InHeight && g.KernelSize == g.InWidth;

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private void DenseForward(in ConvGeometry g, float* x, float* w, float* y)
    {
        int k = g.InChannels * g.KernelSize * g.KernelSize;
        if (g.OutChannels == 1)
        {
            _gemv.Forward(_pool, g.Batch, k, x, w, y);
            return;
        }

        // y[n, co] = Σ_k x[n, k]·w[co, k]: A = x (row-major), B = wᵀ.
        _gemm.Run(_pool, _width, g.Batch, g.OutChannels, k, x, k, 1, w, 1, k, y, g.OutChannels, false);
    }

    private void DenseBackwardInput(in ConvGeometry g, float* dy, float* w, float* dx)
    {
        int k = g.InChannels * g.KernelSize * g.KernelSize;
        if (g.OutChannels == 1)
        {
            _gemv.Outer(_pool, g.Batch, k, dy, w, dx);
            return;
        }

        // dx[n, k] = Σ_co dy[n, co]·w[co, k].
        _gemm.Run(_pool, _width, g.Batch, k, g.OutChannels, dy, g.OutChannels, 1, w, k, 1, dx, k, false);
    }

    private void DenseBackwardWeight(in ConvGeometry g, float* x, float* dy, float* dw)
    {
        int k = g.InChannels * g.KernelSize * g.KernelSize;
        if (g.OutChannels == 1)
        {
            _gemv.ColumnSums(_pool, g.Batch, k, dy, x, dw);
            return;
        }

        // dw[co, k] += Σ_n dy[n, co]·x[n, k]: A = dyᵀ.
        _gemm.Run(_pool, _width, g.OutChannels, k, g.Batch, dy, 1, g.OutChannels, x, k, 1, dw, k, true);
    }
}

/// <summary>Packs convolution weights for <see cref="ConvForwardJob"/> or <see cref="ConvBackwardInputJob"/>; chunks are panels.</summary>
internal sealed unsafe class PackWeightsJob : ChunkJob
{
    private ConvGeometry _g;
    private float* _w;
    private float* _dst;
    private bool _transposed;
    private int _tiles;

    /// <summary>Packs for the backward-input kernel when <paramref name="transposed"/>, else for the forward kernel.</summary>
    public void Run(WorkerPool pool, in ConvGeometry g, float* w, float* dst, bool transposed)
    {
        _g = g;
        _w = w;
        _dst = dst;
        _transposed = transposed;
        _tiles = ((transposed ? g.InChannels : g.OutChannels) + MicroKernel.MR - 1) / MicroKernel.MR;
        pool.Run(this, transposed ? _tiles * g.Stride * g.Stride : _tiles);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        if (_transposed)
        {
            ConvBackwardInputJob.PackWeights(_g, _w, _dst, chunk / _tiles, chunk % _tiles);
        }
        else
        {
            ConvForwardJob.PackWeights(_g, _w, _dst, chunk);
        }
    }
}

/// <summary>dw[co, ci, t] += acc[t, co, ci] (row stride cp); chunks are output channels.</summary>
internal sealed unsafe class AddTapMajorJob : ChunkJob
{
    private float* _acc;
    private float* _dw;
    private int _co;
    private int _ci;
    private int _cp;
    private int _kk;

    /// <summary>Adds the tap-major accumulator into the weight gradient.</summary>
    public void Run(WorkerPool pool, float* acc, float* dw, int co, int ci, int cp, int kk)
    {
        _acc = acc;
        _dw = dw;
        _co = co;
        _ci = ci;
        _cp = cp;
        _kk = kk;
        pool.Run(this, co);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        for (int c = 0; c < _ci; c++)
        {
            float* d = _dw + ((((long)chunk * _ci) + c) * _kk);
            for (int t = 0; t < _kk; t++)
            {
                d[t] += _acc[((((long)t * _co) + chunk) * _cp) + c];
            }
        }
    }
}

/// <summary>Matrix-vector kernels for dense layers with one output (a 64-wide GEMM panel would be 98 % padding).</summary>
internal sealed unsafe class GemvJob : WidthJob
{
    private const int RowsPerChunk = 16;
    private const int ColumnsPerChunk = 1024;

    private int _mode;
    private int _n;
    private int _k;
    private float* _a;
    private float* _b;
    private float* _c;

    /// <summary>Creates the job for one vector width.</summary>
    public GemvJob(SimdWidth width)
        : base(width)
    {
    }

    /// <summary>y[i] = Σ_j x[i, j]·w[j] for i &lt; n.</summary>
    public void Forward(WorkerPool pool, int n, int k, float* x, float* w, float* y) => Start(pool, 0, n, k, x, w, y);

    /// <summary>dx[i, j] = dy[i]·w[j].</summary>
    public void Outer(WorkerPool pool, int n, int k, float* dy, float* w, float* dx) => Start(pool, 1, n, k, dy, w, dx);

    /// <summary>dw[j] += Σ_i dy[i]·x[i, j] (summed over i first, then added).</summary>
    public void ColumnSums(WorkerPool pool, int n, int k, float* dy, float* x, float* dw) => Start(pool, 2, n, k, dy, x, dw);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void Execute<TW, TV>(int chunk, int worker)
    {
        switch (_mode)
        {
            case 0:
                for (int i = chunk * RowsPerChunk, end = Math.Min(_n, i + RowsPerChunk); i < end; i++)
                {
                    _c[i] = Simd.Dot<TW, TV>(_a + ((long)i * _k), _b, _k);
                }

                break;
            case 1:
                for (int i = chunk * RowsPerChunk, end = Math.Min(_n, i + RowsPerChunk); i < end; i++)
                {
                    Simd.Scale<TW, TV>(_b, _a[i], _c + ((long)i * _k), _k);
                }

                break;
            default:
                int j0 = chunk * ColumnsPerChunk, width = Math.Min(ColumnsPerChunk, _k - j0);
                Simd.ColumnSumsAdd<TW, TV>(_a, _b + j0, _k, _n, width, _c + j0);
                break;
        }
    }

    private void Start(WorkerPool pool, int mode, int n, int k, float* a, float* b, float* c)
    {
        _mode = mode;
        _n = n;
        _k = k;
        _a = a;
        _b = b;
        _c = c;
        pool.Run(this, mode == 2 ? (k + ColumnsPerChunk - 1) / ColumnsPerChunk : (n + RowsPerChunk - 1) / RowsPerChunk);
    }
}
