// Convolution as a sum of shifted GEMMs ("implicit GEMM" over kernel taps): for each output pixel the K loop runs
// over the kernel rows that land inside the input, one segment per row, so padding taps are never computed.
// The transposed direction is split into stride² sub-pixel classes (Shi et al. 2016): each class only visits the
// taps that touch it, so the structural zeros of a strided ConvTranspose2d are skipped as well.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;

/// <summary>
/// Forward convolution <c>y = conv2d(x, w)</c>: input and output in batch-minor layout, weights packed as
/// [⌈Co/6⌉][kh][kw][ci][6]; chunks are (64-sample tile, output pixel); every output element is one
/// micro-kernel sum over the pixel's segments, in a fixed order.
/// </summary>
internal sealed unsafe class ConvForwardJob : ChunkJob
{
    private readonly WorkerScratch[] _scratch;
    private ConvGeometry _g;
    private SimdWidth _width;
    private float* _xc;
    private float* _wp;
    private float* _yc;
    private int _tiles;

    /// <summary>Creates the job over per-worker scratch.</summary>
    public ConvForwardJob(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Packed weight floats for a geometry.</summary>
    public static long PackedWeightLength(in ConvGeometry g) =>
        (long)((g.OutChannels + MicroKernel.MR - 1) / MicroKernel.MR) * g.KernelSize * g.KernelSize * g.InChannels * MicroKernel.MR;

    /// <summary>Packs <c>w [Co, Ci, k, k]</c> into 6-row panels, K ordered (kh, kw, ci), zero rows past Co.</summary>
    public static void PackWeights(in ConvGeometry g, float* w, float* dst, int tile)
    {
        int kk = g.KernelSize * g.KernelSize, ci = g.InChannels;
        long kFull = (long)kk * ci;
        float* panel = dst + (tile * kFull * MicroKernel.MR);
        for (int r = 0; r < MicroKernel.MR; r++)
        {
            int co = (tile * MicroKernel.MR) + r;
            for (int c = 0; c < ci; c++)
            {
                float* src = w + (((long)co * ci) + c) * kk;
                for (int t = 0; t < kk; t++)
                {
                    panel[((((long)t * ci) + c) * MicroKernel.MR) + r] = co < g.OutChannels ? src[t] : 0f;
                }
            }
        }
    }

    /// <summary>Runs the convolution from and to batch-minor layout.</summary>
    public void Run(WorkerPool pool, SimdWidth width, in ConvGeometry g, float* xc, float* wp, float* yc)
    {
        _g = g;
        _width = width;
        _xc = xc;
        _wp = wp;
        _yc = yc;
        _tiles = (g.OutChannels + MicroKernel.MR - 1) / MicroKernel.MR;
        int nTiles = (g.Batch + 63) / 64;
        pool.Run(this, nTiles * g.OutHeight * g.OutWidth);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        ref readonly ConvGeometry g = ref _g;
        int q = g.OutHeight * g.OutWidth, p = g.InHeight * g.InWidth, k = g.KernelSize, ci = g.InChannels;
        int nt = chunk / q, o = chunk % q;
        int oh = o / g.OutWidth, ow = o % g.OutWidth;
        int ihBase = (oh * g.Stride) - g.Padding, iwBase = (ow * g.Stride) - g.Padding;
        int kh0 = Math.Max(0, -ihBase), kh1 = Math.Min(k, g.InHeight - ihBase);
        int kw0 = Math.Max(0, -iwBase), kw1 = Math.Min(k, g.InWidth - iwBase);
        WorkerScratch scratch = _scratch[worker];
        Segment* segments = scratch.Segments.Ensure(k);
        int count = 0;
        if (kw1 > kw0)
        {
            for (int kh = kh0; kh < kh1; kh++)
            {
                long pixel = ((long)nt * p) + ((ihBase + kh) * g.InWidth) + iwBase + kw0;
                segments[count++] = new Segment((nint)(((kh * k) + kw0) * (long)ci * MicroKernel.MR), (nint)(pixel * ci * 64), (kw1 - kw0) * ci);
            }
        }

        int vectors = (Math.Min(64, g.Batch - (nt * 64)) + 15) / 16;
        long kFull = (long)k * k * ci;
        SegmentGroups.Run(_width, segments, count, _tiles, g.OutChannels, vectors, _wp, kFull * MicroKernel.MR, _xc,
            _yc + ((((long)nt * q) + o) * g.OutChannels * 64));
    }
}

/// <summary>
/// Input gradient <c>dx = conv_transpose2d(dy, w)</c> (also ConvTranspose2d's forward): gradOutput and gradInput in
/// batch-minor layout, weights packed per sub-pixel class (rh, rw) as [⌈Ci/6⌉][jh][jw descending][co][6]; chunks are
/// (64-sample tile, input pixel).
/// </summary>
internal sealed unsafe class ConvBackwardInputJob : ChunkJob
{
    private readonly WorkerScratch[] _scratch;
    private ConvGeometry _g;
    private SimdWidth _width;
    private float* _dyc;
    private float* _wp;
    private float* _dxc;
    private int _tiles;

    /// <summary>Creates the job over per-worker scratch.</summary>
    public ConvBackwardInputJob(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Taps of kernel rows (or columns) ≡ <paramref name="r"/> mod stride.</summary>
    public static int ClassTaps(int k, int s, int r) => r < k ? (k - r + s - 1) / s : 0;

    /// <summary>Start of class <paramref name="cls"/>'s panels in the packed weights, in floats.</summary>
    public static long ClassOffset(in ConvGeometry g, int cls)
    {
        int s = g.Stride, tiles = (g.InChannels + MicroKernel.MR - 1) / MicroKernel.MR;
        long offset = 0;
        for (int c = 0; c < cls; c++)
        {
            offset += (long)ClassTaps(g.KernelSize, s, c / s) * ClassTaps(g.KernelSize, s, c % s) * g.OutChannels * MicroKernel.MR * tiles;
        }

        return offset;
    }

    /// <summary>Packed weight floats for a geometry.</summary>
    public static long PackedWeightLength(in ConvGeometry g) => ClassOffset(g, g.Stride * g.Stride);

    /// <summary>Packs the panel of class <paramref name="cls"/> and input-channel tile <paramref name="tile"/>.</summary>
    public static void PackWeights(in ConvGeometry g, float* w, float* dst, int cls, int tile)
    {
        int s = g.Stride, k = g.KernelSize, kk = k * k, co = g.OutChannels, ci = g.InChannels;
        int rh = cls / s, rw = cls % s, nh = ClassTaps(k, s, rh), nw = ClassTaps(k, s, rw);
        long kc = (long)nh * nw * co;
        float* panel = dst + ClassOffset(g, cls) + (tile * kc * MicroKernel.MR);
        for (int r = 0; r < MicroKernel.MR; r++)
        {
            int c = (tile * MicroKernel.MR) + r;
            for (int jh = 0; jh < nh; jh++)
            {
                for (int jwp = 0; jwp < nw; jwp++)
                {
                    int kh = rh + (s * jh), kw = rw + (s * (nw - 1 - jwp));
                    float* d = panel + ((((jh * nw) + jwp) * (long)co) * MicroKernel.MR) + r;
                    for (int o = 0; o < co; o++)
                    {
                        d[o * MicroKernel.MR] = c < ci ? w[((((long)o * ci) + c) * kk) + (kh * k) + kw] : 0f;
                    }
                }
            }
        }
    }

    /// <summary>Runs the transposed convolution from and to batch-minor layout.</summary>
    public void Run(WorkerPool pool, SimdWidth width, in ConvGeometry g, float* dyc, float* wp, float* dxc)
    {
        _g = g;
        _width = width;
        _dyc = dyc;
        _wp = wp;
        _dxc = dxc;
        _tiles = (g.InChannels + MicroKernel.MR - 1) / MicroKernel.MR;
        int nTiles = (g.Batch + 63) / 64;
        pool.Run(this, nTiles * g.InHeight * g.InWidth);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        ref readonly ConvGeometry g = ref _g;
        int p = g.InHeight * g.InWidth, q = g.OutHeight * g.OutWidth, k = g.KernelSize, s = g.Stride, co = g.OutChannels;
        int nt = chunk / p, i = chunk % p;
        int ih = i / g.InWidth, iw = i % g.InWidth;
        int rh = (ih + g.Padding) % s, qh = (ih + g.Padding) / s;
        int rw = (iw + g.Padding) % s, qw = (iw + g.Padding) / s;
        int nh = ClassTaps(k, s, rh), nw = ClassTaps(k, s, rw);
        int jh0 = Math.Max(0, qh - g.OutHeight + 1), jh1 = Math.Min(nh - 1, qh);
        int jw0 = Math.Max(0, qw - g.OutWidth + 1), jw1 = Math.Min(nw - 1, qw);
        WorkerScratch scratch = _scratch[worker];
        Segment* segments = scratch.Segments.Ensure(k);
        int count = 0;
        if (jw0 <= jw1)
        {
            for (int jh = jh0; jh <= jh1; jh++)
            {
                long pixel = ((long)nt * q) + ((qh - jh) * g.OutWidth) + qw - jw1;
                segments[count++] = new Segment((nint)((((jh * nw) + (nw - 1 - jw1)) * (long)co) * MicroKernel.MR), (nint)(pixel * co * 64), (jw1 - jw0 + 1) * co);
            }
        }

        int vectors = (Math.Min(64, g.Batch - (nt * 64)) + 15) / 16;
        long kc = (long)nh * nw * co;
        SegmentGroups.Run(_width, segments, count, _tiles, g.InChannels, vectors, _wp + ClassOffset(g, (rh * s) + rw), kc * MicroKernel.MR, _dyc,
            _dxc + ((((long)nt * p) + i) * g.InChannels * 64));
    }
}

/// <summary>The K loop of one output pixel of the implicit-GEMM convolutions, in cache-sized groups of segments.</summary>
internal static unsafe class SegmentGroups
{
    // Rows of K per micro-kernel call: B rows of a group (64 floats each) stay in L2 while every channel tile uses them.
    private const int KBlock = 512;

    /// <summary>
    /// out[c, 0..64) = Σ over segments of A·B for every channel tile (A panels <paramref name="panelStride"/> floats
    /// apart), written to <paramref name="output"/> as rows of 64 floats ([channel][64], batch-minor).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(SimdWidth width, Segment* segments, int count, int tiles, int channels, int vectors, float* panels, long panelStride,
        float* b, float* output)
    {
        int first = 0;
        do
        {
            int last = first, k = 0;
            while (last < count && (last == first || k + segments[last].K <= KBlock))
            {
                k += segments[last].K;
                last++;
            }

            for (int m = 0; m < tiles; m++)
            {
                int rows = Math.Min(MicroKernel.MR, channels - (m * MicroKernel.MR));
                MicroKernel.Run(width, rows, vectors, panels + (m * panelStride), b, segments + first, last - first,
                    MicroKernel.MR, 64, output + (m * MicroKernel.MR * 64), 64, first > 0);
            }

            first = last;
        }
        while (first < count);
    }
}

/// <summary>
/// Weight gradient per tap t = (kh, kw): dW_t[co, ci] += Σ over output pixels o and samples n of
/// dy[n, co, o]·x[n, ci, o·s − p + t], with both operands in tiled channel-minor layout (ToChannelMinorJob: dy in
/// tiles of 6 channels, x in tiles of 64, so every row of K is contiguous for the register tile at any width). One call handles one block of
/// samples; blocks run in order and accumulate into a [t][Co][cp] buffer, so every sum has a fixed order.
/// Chunks are (tap, 64-column panel of ci, 6-row tile of co).
/// </summary>
internal sealed unsafe class ConvBackwardWeightJob : ChunkJob
{
    private readonly WorkerScratch[] _scratch;
    private ConvGeometry _g;
    private SimdWidth _width;
    private float* _xn;
    private float* _dyn;
    private float* _dwt;
    private int _block;
    private int _blockSize;
    private int _cip;
    private int _tiles;
    private int _panels;
    private long _dyTileStride;
    private long _xPanelStride;

    /// <summary>Creates the job over per-worker scratch.</summary>
    public ConvBackwardWeightJob(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Accumulates one sample block into <paramref name="dwt"/> (overwrites it for block 0).</summary>
    public void Run(WorkerPool pool, SimdWidth width, in ConvGeometry g, float* xn, float* dyn, float* dwt, int block, int blockSize, int cip)
    {
        _g = g;
        _width = width;
        _xn = xn;
        _dyn = dyn;
        _dwt = dwt;
        _block = block;
        _blockSize = blockSize;
        _cip = cip;
        _tiles = (g.OutChannels + MicroKernel.MR - 1) / MicroKernel.MR;
        _panels = (cip + MicroKernel.NR - 1) / MicroKernel.NR;
        long padded = (long)((g.Batch + blockSize - 1) / blockSize) * blockSize;
        _dyTileStride = padded * g.OutHeight * g.OutWidth * MicroKernel.MR;
        _xPanelStride = padded * g.InHeight * g.InWidth * MicroKernel.NR;
        pool.Run(this, g.KernelSize * g.KernelSize * _tiles * _panels);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        ref readonly ConvGeometry g = ref _g;
        int k = g.KernelSize, s = g.Stride, pad = g.Padding;
        int t = chunk / (_tiles * _panels), rem = chunk % (_tiles * _panels);
        int jn = rem / _tiles, m = rem % _tiles;
        int kh = t / k, kw = t % k;
        int p = g.InHeight * g.InWidth, q = g.OutHeight * g.OutWidth;
        int valid = Math.Min(_blockSize, g.Batch - (_block * _blockSize));

        // Output rows whose tap row lands inside the input: 0 <= oh*s - pad + kh < InHeight.
        int oh0 = Math.Max(0, CeilDiv(pad - kh, s)), oh1 = Math.Min(g.OutHeight - 1, FloorDiv(g.InHeight - 1 + pad - kh, s));
        int ow0 = Math.Max(0, CeilDiv(pad - kw, s)), ow1 = Math.Min(g.OutWidth - 1, FloorDiv(g.InWidth - 1 + pad - kw, s));
        WorkerScratch scratch = _scratch[worker];
        int most = Math.Max(0, (oh1 - oh0 + 1) * (ow1 - ow0 + 1));
        Segment* segments = scratch.Segments.Ensure(Math.Max(1, most));
        int count = 0;
        long aStride = (long)_blockSize * MicroKernel.MR, bStride = (long)_blockSize * MicroKernel.NR;
        for (int oh = oh0; oh <= oh1; oh++)
        {
            int ih = (oh * s) - pad + kh;
            for (int ow = ow0; ow <= ow1; ow++)
            {
                int iw = (ow * s) - pad + kw;
                nint a = (nint)((((long)_block * q) + (oh * g.OutWidth) + ow) * aStride);
                nint b = (nint)((((long)_block * p) + (ih * g.InWidth) + iw) * bStride);
                if (count > 0)
                {
                    ref Segment last = ref segments[count - 1];
                    if (last.A + (last.K * (nint)MicroKernel.MR) == a && last.B + (last.K * (nint)MicroKernel.NR) == b)
                    {
                        last.K += valid;
                        continue;
                    }
                }

                segments[count++] = new Segment(a, b, valid);
            }
        }

        int rows = Math.Min(MicroKernel.MR, g.OutChannels - (m * MicroKernel.MR));
        int vectors = Math.Min(4, (_cip - (jn * MicroKernel.NR)) / 16);
        float* c = _dwt + ((((long)t * g.OutChannels) + (m * MicroKernel.MR)) * _cip) + (jn * MicroKernel.NR);
        MicroKernel.Run(_width, rows, vectors, _dyn + (m * _dyTileStride), _xn + (jn * _xPanelStride), segments, count,
            MicroKernel.MR, MicroKernel.NR, c, _cip, _block > 0);
    }

    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>dw[co, t] += Σ over blocks b in order of part[b, t, co] (t = ci·k·k + tap); chunks are output channels.</summary>
internal sealed unsafe class ReducePartialsJob : ChunkJob
{
    private float* _part;
    private float* _dw;
    private int _blocks;
    private int _taps;
    private int _rowLength;
    private int _cop;

    /// <summary>Adds the block partial sums into the weight gradient <c>[Co, taps]</c>.</summary>
    public void Run(WorkerPool pool, float* part, float* dw, int co, int taps, int blocks, int rowLength, int cop)
    {
        _part = part;
        _dw = dw;
        _blocks = blocks;
        _taps = taps;
        _rowLength = rowLength;
        _cop = cop;
        pool.Run(this, co);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        for (int t = 0; t < _taps; t++)
        {
            float sum = 0f;
            for (int b = 0; b < _blocks; b++)
            {
                sum += _part[((((long)b * _rowLength) + t) * _cop) + chunk];
            }

            _dw[((long)chunk * _taps) + t] += sum;
        }
    }
}
