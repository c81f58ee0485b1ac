// Convolutions with few input channels (a DCGAN's 1-channel image layers) as per-image im2col GEMMs on the NCHW
// tensors themselves (Chellapilla et al. 2006): the output pixels are the vector dimension, so no batch transpose
// of the large side is needed. Forward: Y_n = W·col(X_n); input gradient: dX_n = col2im(Wᵀ·dY_n); weight gradient:
// dW += Σ_n dY_n·col(X_n)ᵀ over fixed groups of images, summed in group order.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

/// <summary>Builds im2col matrices of one image in the two orders the small-channel jobs need.</summary>
internal static unsafe class Im2Col
{
    /// <summary>
    /// col[(kh·k + kw)·Ci + ci][o] = x[ci, oh·s − p + kh, ow·s − p + kw] (zero outside), rows <paramref name="ld"/>
    /// floats apart (columns past Q zero-filled) — the K order of <see cref="ConvForwardJob.PackWeights"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TapMajor(SimdWidth width, in ConvGeometry g, float* image, float* col, int ld, float* padded)
    {
        int k = g.KernelSize, q = g.OutHeight * g.OutWidth;
        if (FitsPermute(width, g) && ld >= q + 16)
        {
            TapMajorPermute(g, image, col, ld, padded);
            return;
        }

        for (int kh = 0; kh < k; kh++)
        {
            for (int kw = 0; kw < k; kw++)
            {
                for (int ci = 0; ci < g.InChannels; ci++)
                {
                    float* row = col + ((long)((((kh * k) + kw) * g.InChannels) + ci) * ld);
                    float* plane = image + ((long)ci * g.InHeight * g.InWidth);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        int ih = (oh * g.Stride) - g.Padding + kh;
                        float* d = row + (oh * g.OutWidth);
                        if ((uint)ih >= (uint)g.InHeight)
                        {
                            new Span<float>(d, g.OutWidth).Clear();
                            continue;
                        }

                        float* src = plane + (ih * g.InWidth);
                        for (int ow = 0; ow < g.OutWidth; ow++)
                        {
                            int iw = (ow * g.Stride) - g.Padding + kw;
                            d[ow] = (uint)iw < (uint)g.InWidth ? src[iw] : 0f;
                        }
                    }

                    new Span<float>(row + q, ld - q).Clear();
                }
            }
        }
    }

    /// <summary>
    /// col[o][ci·k·k + kh·k + kw] = x[ci, oh·s − p + kh, ow·s − p + kw] (zero outside), rows <paramref name="ld"/>
    /// floats apart (entries past Ci·k·k zero-filled) — pixel-major, taps in the weight's own order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PixelMajor(SimdWidth width, in ConvGeometry g, float* image, float* col, int ld, float* padded)
    {
        int k = g.KernelSize, taps = g.InChannels * k * k;
        if (FitsPermute(width, g) && k <= 16)
        {
            // Each tap row is k consecutive floats of the padded image: one 16-wide copy per (pixel, channel, row);
            // the overhang is rewritten by the next copy (the caller leaves 16 floats of slack after the last row).
            Pad(g, image, padded);
            for (int oh = 0; oh < g.OutHeight; oh++)
            {
                for (int ow = 0; ow < g.OutWidth; ow++)
                {
                    float* d = col + ((long)((oh * g.OutWidth) + ow) * ld);
                    for (int ci = 0; ci < g.InChannels; ci++)
                    {
                        float* src = padded + ((((long)ci * PaddedHeight(g)) + (oh * g.Stride)) * PaddedWidth) + (ow * g.Stride);
                        for (int kh = 0; kh < k; kh++)
                        {
                            Vector512.Store(Vector512.Load(src + (kh * PaddedWidth)), d + (((ci * k) + kh) * k));
                        }
                    }
                }
            }

            return;
        }

        for (int oh = 0; oh < g.OutHeight; oh++)
        {
            for (int ow = 0; ow < g.OutWidth; ow++)
            {
                float* d = col + ((long)((oh * g.OutWidth) + ow) * ld);
                for (int ci = 0; ci < g.InChannels; ci++)
                {
                    float* plane = image + ((long)ci * g.InHeight * g.InWidth);
                    for (int kh = 0; kh < k; kh++)
                    {
                        int ih = (oh * g.Stride) - g.Padding + kh;
                        for (int kw = 0; kw < k; kw++)
                        {
                            int iw = (ow * g.Stride) - g.Padding + kw;
                            *d++ = (uint)ih < (uint)g.InHeight && (uint)iw < (uint)g.InWidth ? plane[(ih * g.InWidth) + iw] : 0f;
                        }
                    }
                }

                for (int t = taps; t < ld; t++)
                {
                    *d++ = 0f;
                }
            }
        }
    }

    /// <summary>Row length of the zero-padded image copies: one output row's taps fit two vectors.</summary>
    public const int PaddedWidth = 32;

    /// <summary>
    /// Register-tile height for the Ci·k·k taps: 4, 5 or 6 rows, whichever pads the taps least (25 taps → 5 tiles of 5,
    /// 16 → 4 of 4), so no micro-kernel row is spent on padding.
    /// </summary>
    public static int TapRows(int taps)
    {
        if (taps < 4)
        {
            return taps;
        }

        int best = MicroKernel.MR;
        for (int h = MicroKernel.MR - 1; h >= 4; h--)
        {
            if ((taps + h - 1) / h * h < (taps + best - 1) / best * best)
            {
                best = h;
            }
        }

        return best;
    }

    /// <summary>Rows of a zero-padded image copy.</summary>
    public static int PaddedHeight(in ConvGeometry g) => g.InHeight + (2 * g.Padding) + 1;

    /// <summary>Floats of a zero-padded copy of one image (all channels).</summary>
    public static long PaddedLength(in ConvGeometry g) => ((long)g.InChannels * PaddedHeight(g) * PaddedWidth) + 32;

    /// <summary>
    /// Whether one output row's taps can be gathered by a two-vector permute: AVX-512 (the one width-specific path:
    /// other widths build the same matrices with the plain loops), stride 1 or 2, at most 16 output columns, and the
    /// padded row ((Wo − 1)·s + k, plus the left padding's shift) within 32 floats.
    /// </summary>
    public static bool FitsPermute(SimdWidth width, in ConvGeometry g) =>
        width == SimdWidth.V512 && g.Stride <= 2 && g.OutWidth <= 16
        && g.InWidth + (2 * g.Padding) <= PaddedWidth && ((g.OutWidth - 1) * g.Stride) + g.KernelSize <= PaddedWidth;

    /// <summary>padded[ci][p + ih][p + iw] = image[ci][ih][iw], zero elsewhere ([Ci][PaddedHeight][32]).</summary>
    public static void Pad(in ConvGeometry g, float* image, float* padded)
    {
        int hp = PaddedHeight(g);
        new Span<float>(padded, (int)PaddedLength(g)).Clear();
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            for (int ih = 0; ih < g.InHeight; ih++)
            {
                float* src = image + ((((long)ci * g.InHeight) + ih) * g.InWidth);
                float* dst = padded + ((((long)ci * hp) + ih + g.Padding) * PaddedWidth) + g.Padding;
                new ReadOnlySpan<float>(src, g.InWidth).CopyTo(new Span<float>(dst, g.InWidth));
            }
        }
    }

    // TapMajor with a permute per (tap, output row): lanes j take padded[oh·s + kh][kw + s·j].
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TapMajorPermute(in ConvGeometry g, float* image, float* col, int ld, float* padded)
    {
        Pad(g, image, padded);
        int k = g.KernelSize, hp = PaddedHeight(g), q = g.OutHeight * g.OutWidth;
        Vector512<int> lanes = Vector512<int>.Indices * g.Stride;
        for (int kh = 0; kh < k; kh++)
        {
            for (int kw = 0; kw < k; kw++)
            {
                Vector512<int> index = lanes + Vector512.Create(kw);
                for (int ci = 0; ci < g.InChannels; ci++)
                {
                    float* row = col + ((long)((((kh * k) + kw) * g.InChannels) + ci) * ld);
                    float* plane = padded + ((long)ci * hp * PaddedWidth);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        float* src = plane + (((oh * g.Stride) + kh) * PaddedWidth);
                        Vector512<float> v = System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(Vector512.Load(src), index, Vector512.Load(src + 16));
                        Vector512.Store(v, row + (oh * g.OutWidth));
                    }

                    // The last row's overhang landed in the padding columns: clear them (they are multiplied, not stored).
                    new Span<float>(row + q, ld - q).Clear();
                }
            }
        }
    }
}

/// <summary>
/// Forward convolution for few input channels: per image, y_n[co, o] = Σ_K W[co, K]·col[K, o] with the packed weights
/// of <see cref="ConvForwardJob"/>, written straight into the NCHW output. Chunks are images.
/// </summary>
internal sealed unsafe class SmallChannelForwardJob : ChunkJob
{
    private readonly WorkerScratch[] _scratch;
    private ConvGeometry _g;
    private SimdWidth _width;
    private float* _x;
    private float* _wp;
    private float* _y;

    /// <summary>Creates the job over per-worker scratch.</summary>
    public SmallChannelForwardJob(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Runs y = conv2d(x, w) with weights packed by <see cref="ConvForwardJob.PackWeights"/>.</summary>
    public void Run(WorkerPool pool, SimdWidth width, in ConvGeometry g, float* x, float* wp, float* y)
    {
        _g = g;
        _width = width;
        _x = x;
        _wp = wp;
        _y = y;
        pool.Run(this, g.Batch);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        ref readonly ConvGeometry g = ref _g;
        int q = g.OutHeight * g.OutWidth, ld = ((q + 15) / 16 * 16) + 16, kFull = g.InChannels * g.KernelSize * g.KernelSize;
        WorkerScratch scratch = _scratch[worker];
        float* col = scratch.PackB.Ensure((long)kFull * ld);
        float* tile = scratch.Tile.Ensure(MicroKernel.MR * MicroKernel.NR);
        float* padded = scratch.PackA.Ensure(Im2Col.PaddedLength(g));
        Segment* segment = scratch.Segments.Ensure(1);
        Im2Col.TapMajor(_width, g, _x + ((long)chunk * g.InChannels * g.InHeight * g.InWidth), col, ld, padded);
        float* y = _y + ((long)chunk * g.OutChannels * q);
        int tiles = (g.OutChannels + MicroKernel.MR - 1) / MicroKernel.MR;
        for (int j0 = 0; j0 < q; j0 += MicroKernel.NR)
        {
            int cols = Math.Min(MicroKernel.NR, q - j0), vectors = (cols + 15) / 16;
            *segment = new Segment(0, j0, kFull);
            for (int m = 0; m < tiles; m++)
            {
                int rows = Math.Min(MicroKernel.MR, g.OutChannels - (m * MicroKernel.MR));
                float* a = _wp + ((long)m * kFull * MicroKernel.MR);
                float* c = y + ((long)m * MicroKernel.MR * q) + j0;
                if (cols == vectors * 16)
                {
                    MicroKernel.Run(_width, rows, vectors, a, col, segment, 1, MicroKernel.MR, ld, c, q, false);
                }
                else
                {
                    MicroKernel.Run(_width, rows, vectors, a, col, segment, 1, MicroKernel.MR, ld, tile, MicroKernel.NR, false);
                    for (int r = 0; r < rows; r++)
                    {
                        new ReadOnlySpan<float>(tile + (r * MicroKernel.NR), cols).CopyTo(new Span<float>(c + ((long)r * q), cols));
                    }
                }
            }
        }
    }
}

/// <summary>
/// Input gradient for few input channels: per image, dcol[t, o] = Σ_co W[co, t]·dy_n[co, o] with t = (ci, kh, kw),
/// then col2im adds every tap into dx_n in a fixed order. Chunks are images.
/// </summary>
internal sealed unsafe class SmallChannelBackwardInputJob : ChunkJob
{
    private readonly WorkerScratch[] _scratch;
    private ConvGeometry _g;
    private SimdWidth _width;
    private float* _dy;
    private float* _wt;
    private float* _dx;

    /// <summary>Creates the job over per-worker scratch.</summary>
    public SmallChannelBackwardInputJob(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Packed weight floats: ⌈Ci·k·k/6⌉ panels of [Co][6].</summary>
    public static long PackedWeightLength(in ConvGeometry g)
    {
        int taps = g.InChannels * g.KernelSize * g.KernelSize, h = Im2Col.TapRows(taps);
        return (long)(taps + h - 1) / h * h * g.OutChannels;
    }

    /// <summary>Packs wᵀ: panel[tile][co][r] = w[co, 6·tile + r] (taps in the weight's own order, zero past Ci·k·k).</summary>
    public static void PackWeights(in ConvGeometry g, float* w, float* dst)
    {
        int taps = g.InChannels * g.KernelSize * g.KernelSize, h = Im2Col.TapRows(taps), tiles = (taps + h - 1) / h;
        for (int tile = 0; tile < tiles; tile++)
        {
            float* panel = dst + ((long)tile * g.OutChannels * h);
            for (int co = 0; co < g.OutChannels; co++)
            {
                for (int r = 0; r < h; r++)
                {
                    int t = (tile * h) + r;
                    panel[(co * h) + r] = t < taps ? w[((long)co * taps) + t] : 0f;
                }
            }
        }
    }

    /// <summary>Runs dx = conv_transpose2d(dy, w) with weights packed by <see cref="PackWeights"/>.</summary>
    public void Run(WorkerPool pool, SimdWidth width, in ConvGeometry g, float* dy, float* wt, float* dx)
    {
        _g = g;
        _width = width;
        _dy = dy;
        _wt = wt;
        _dx = dx;
        pool.Run(this, g.Batch);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        ref readonly ConvGeometry g = ref _g;
        int k = g.KernelSize, q = g.OutHeight * g.OutWidth, ld = ((q + 15) / 16 * 16) + 16, co = g.OutChannels;
        int taps = g.InChannels * k * k, h = Im2Col.TapRows(taps), tiles = (taps + h - 1) / h;
        WorkerScratch scratch = _scratch[worker];
        float* dcol = scratch.PackA.Ensure((long)tiles * h * ld);
        float* tail = scratch.PackB.Ensure((long)co * 64);
        Segment* segment = scratch.Segments.Ensure(1);
        float* dy = _dy + ((long)chunk * co * q);
        for (int j0 = 0; j0 < q; j0 += MicroKernel.NR)
        {
            int cols = Math.Min(MicroKernel.NR, q - j0), vectors = (cols + 15) / 16;
            float* b = dy;
            nint ldb = q;
            if (cols != vectors * 16)
            {
                // The last panel would read past the tensor: copy it, zero-padded to whole vectors.
                for (int c = 0; c < co; c++)
                {
                    float* d = tail + (c * vectors * 16L);
                    new ReadOnlySpan<float>(dy + ((long)c * q) + j0, cols).CopyTo(new Span<float>(d, cols));
                    new Span<float>(d + cols, (vectors * 16) - cols).Clear();
                }

                b = tail - j0;
                ldb = vectors * 16;
            }

            *segment = new Segment(0, j0, co);
            for (int m = 0; m < tiles; m++)
            {
                MicroKernel.Run(_width, h, vectors, _wt + ((long)m * co * h), b, segment, 1, h, ldb, dcol + ((long)m * h * ld) + j0, ld, false);
            }
        }

        // col2im: every tap of every output pixel adds into the input pixel it came from, taps in order.
        float* dx = _dx + ((long)chunk * g.InChannels * g.InHeight * g.InWidth);
        if (Im2Col.FitsPermute(_width, g))
        {
            Col2ImPermute(g, dcol, ld, scratch.Tile.Ensure(AccumulatorLength(g)), dx);
            return;
        }

        new Span<float>(dx, g.InChannels * g.InHeight * g.InWidth).Clear();
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            float* plane = dx + ((long)ci * g.InHeight * g.InWidth);
            for (int kh = 0; kh < k; kh++)
            {
                for (int kw = 0; kw < k; kw++)
                {
                    float* row = dcol + ((long)((((ci * k) + kh) * k) + kw) * ld);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        int ih = (oh * g.Stride) - g.Padding + kh;
                        if ((uint)ih >= (uint)g.InHeight)
                        {
                            continue;
                        }

                        float* src = row + (oh * g.OutWidth);
                        float* dst = plane + (ih * g.InWidth);
                        for (int ow = 0; ow < g.OutWidth; ow++)
                        {
                            int iw = (ow * g.Stride) - g.Padding + kw;
                            if ((uint)iw < (uint)g.InWidth)
                            {
                                dst[iw] += src[ow];
                            }
                        }
                    }
                }
            }
        }
    }
    private const int AccumulatorWidth = 48;

    private static long AccumulatorLength(in ConvGeometry g) => ((long)g.InChannels * Im2Col.PaddedHeight(g) * AccumulatorWidth) + 64;

    // col2im with whole output rows: lanes j of a dcol row go to padded column kw + s·j (stride 2 spreads them over
    // two vectors with a permute); the per-element order of the additions is the scalar loop's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Col2ImPermute(in ConvGeometry g, float* dcol, int ld, float* acc, float* dx)
    {
        int k = g.KernelSize, hp = Im2Col.PaddedHeight(g), s = g.Stride;
        new Span<float>(acc, (int)AccumulatorLength(g)).Clear();
        Vector512<int> lanes = Vector512<int>.Indices;
        Vector512<float> valid = Vector512.LessThan(lanes, Vector512.Create(g.OutWidth)).AsSingle();
        Vector512<int> evenLow = Vector512.ConditionalSelect(Vector512.Equals(lanes & Vector512.Create(1), Vector512<int>.Zero), lanes >>> 1, Vector512.Create(16));
        Vector512<int> evenHigh = Vector512.ConditionalSelect(Vector512.Equals(lanes & Vector512.Create(1), Vector512<int>.Zero), (lanes >>> 1) + Vector512.Create(8), Vector512.Create(16));
        for (int ci = 0; ci < g.InChannels; ci++)
        {
            float* plane = acc + ((long)ci * hp * AccumulatorWidth);
            for (int kh = 0; kh < k; kh++)
            {
                for (int kw = 0; kw < k; kw++)
                {
                    float* row = dcol + ((long)((((ci * k) + kh) * k) + kw) * ld);
                    for (int oh = 0; oh < g.OutHeight; oh++)
                    {
                        Vector512<float> v = Vector512.Load(row + (oh * g.OutWidth)) & valid;
                        float* dst = plane + (((oh * s) + kh) * AccumulatorWidth) + kw;
                        if (s == 1)
                        {
                            Vector512.Store(Vector512.Load(dst) + v, dst);
                        }
                        else
                        {
                            Vector512<float> low = System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(v, evenLow, Vector512<float>.Zero);
                            Vector512<float> high = System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(v, evenHigh, Vector512<float>.Zero);
                            Vector512.Store(Vector512.Load(dst) + low, dst);
                            Vector512.Store(Vector512.Load(dst + 16) + high, dst + 16);
                        }
                    }
                }
            }

            for (int ih = 0; ih < g.InHeight; ih++)
            {
                float* src = plane + ((ih + g.Padding) * AccumulatorWidth) + g.Padding;
                new ReadOnlySpan<float>(src, g.InWidth).CopyTo(new Span<float>(dx + ((((long)ci * g.InHeight) + ih) * g.InWidth), g.InWidth));
            }
        }
    }

}

/// <summary>
/// Weight gradient for few input channels: for each group of <see cref="GroupSize"/> images,
/// part[group, t, co] = Σ over the group's images and pixels of col[o, t]·dy[co, o] (pixel-major im2col and a
/// transposed gradient, so the 6×64 tile runs over taps × output channels); <see cref="ReducePartialsJob"/> then
/// sums the groups in order. Chunks are groups.
/// </summary>
internal sealed unsafe class SmallChannelWeightGradientJob : ChunkJob
{
    /// <summary>Images per chunk (a fixed split, whatever the thread count).</summary>
    public const int GroupSize = 8;

    private readonly WorkerScratch[] _scratch;
    private ConvGeometry _g;
    private SimdWidth _width;
    private float* _x;
    private float* _dy;
    private float* _part;
    private int _rowLength;
    private int _cop;

    /// <summary>Creates the job over per-worker scratch.</summary>
    public SmallChannelWeightGradientJob(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Fills <paramref name="part"/> ([groups][rowLength][cop]).</summary>
    public void Run(WorkerPool pool, SimdWidth width, in ConvGeometry g, float* x, float* dy, float* part, int rowLength, int cop)
    {
        _g = g;
        _width = width;
        _x = x;
        _dy = dy;
        _part = part;
        _rowLength = rowLength;
        _cop = cop;
        pool.Run(this, (g.Batch + GroupSize - 1) / GroupSize);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        ref readonly ConvGeometry g = ref _g;
        int q = g.OutHeight * g.OutWidth, co = g.OutChannels, p = g.InHeight * g.InWidth;
        int first = chunk * GroupSize, images = Math.Min(GroupSize, g.Batch - first);
        WorkerScratch scratch = _scratch[worker];
        float* col = scratch.PackA.Ensure(((long)GroupSize * q * _rowLength) + 16);
        float* dyt = scratch.PackB.Ensure((long)GroupSize * q * _cop);
        float* padded = scratch.Tile.Ensure(Im2Col.PaddedLength(g));
        Segment* segment = scratch.Segments.Ensure(1);
        for (int i = 0; i < images; i++)
        {
            int n = first + i;
            Im2Col.PixelMajor(_width, g, _x + ((long)n * g.InChannels * p), col + ((long)i * q * _rowLength), _rowLength, padded);
            Transpose(_width, _dy + ((long)n * co * q), co, q, dyt + ((long)i * q * _cop), _cop);
        }

        *segment = new Segment(0, 0, images * q);
        int taps = g.InChannels * g.KernelSize * g.KernelSize, h = Im2Col.TapRows(taps), tiles = _rowLength / h;
        for (int j0 = 0; j0 < _cop; j0 += MicroKernel.NR)
        {
            int vectors = Math.Min(4, (_cop - j0) / 16);
            for (int m = 0; m < tiles; m++)
            {
                int rows = Math.Min(h, taps - (m * h));
                float* c = _part + ((((long)chunk * _rowLength) + (m * h)) * _cop) + j0;
                MicroKernel.Run(_width, rows, vectors, col + (m * h), dyt + j0, segment, 1, _rowLength, _cop, c, _cop, false);
            }
        }
    }

    // dst[o][c] = src[c][o] for c < channels (zero up to cp), o < pixels.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(SimdWidth width, float* src, int channels, int pixels, float* dst, int cp)
    {
        int fullC = channels / 16 * 16;
        int fullP = pixels / 16 * 16;
        for (int c = 0; c < fullC; c += 16)
        {
            for (int o = 0; o < fullP; o += 16)
            {
                SimdAt.Transpose16(width, src + ((long)c * pixels) + o, pixels, dst + ((long)o * cp) + c, cp);
            }
        }

        for (int o = 0; o < pixels; o++)
        {
            float* d = dst + ((long)o * cp);
            for (int c = o < fullP ? fullC : 0; c < channels; c++)
            {
                d[c] = src[((long)c * pixels) + o];
            }

            for (int c = channels; c < cp; c++)
            {
                d[c] = 0f;
            }
        }
    }
}
