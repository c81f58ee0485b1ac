// Packed, cache-blocked single-precision GEMM (Goto & van de Geijn 2008, BLIS loop order), in three schedules
// chosen from the shape alone, so the thread count never changes which one runs:
// - shared B (the usual one): B is packed once into 64-column panels per KC slice (a parallel pass), then C blocks
//   of MC×NC are the parallel chunks, each packing its KC slices of A (48-row strips, k-major).
// - shared A, when B is much wider than A is tall (a 1×1 → 4×4 ConvTranspose2d, a Linear layer's weight
//   gradient: M ≈ 100, N ≈ 8,192, K ≈ 100): A is small and packed once, and each chunk packs its slice of B right
//   before using it, so the large operand crosses memory once instead of being written packed and read back.
// - split K, when C is small and K long (that ConvTranspose2d's input gradient: 128×100, K = 8,192): C blocks alone
//   would be too few chunks, each rereading a whole operand; instead each chunk multiplies one run of K (1,024 long,
//   longer when K would need over 64 runs) into its own partial C, and the partials are added in run order. The orientation (C or Cᵀ) that pads the
//   6×64 register tile least is used, and the reduction writes C either way.
// Every C element is summed in a fixed order that depends on the shape only: one chain of multiply-adds over K
// (shared A or B), or chains over the runs of K added in run order (split K), so results do not depend on
// the block sizes, the thread count or the vector width.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;

/// <summary>Per-worker scratch memory of the CPU kernels.</summary>
internal sealed class WorkerScratch
{
    /// <summary>Packed A block.</summary>
    public PinnedBuffer PackA { get; } = new();

    /// <summary>Packed B block.</summary>
    public PinnedBuffer PackB { get; } = new();

    /// <summary>Register-tile spill area and small per-chunk arrays.</summary>
    public PinnedBuffer Tile { get; } = new();

    /// <summary>K-run lists.</summary>
    public SegmentBuffer Segments { get; } = new();
}

/// <summary>
/// C[M×N] (=|+=) A[M×K]·B[K×N] with element (i, k) of A at <c>a[i·ars + k·acs]</c>, element (k, j) of B at
/// <c>b[k·brs + j·bcs]</c> and C row-major with row stride ldc. Set the operands, then <see cref="Run"/>.
/// </summary>
internal sealed unsafe class Gemm : ChunkJob
{
    private const int KC = 256;
    private const int NC = 4 * MicroKernel.NR;
    private const int MR = MicroKernel.MR;
    private const int NR = MicroKernel.NR;

    // Packed A is kept in strips of 48 rows stored k-major ([k][48]): a register tile is 6 consecutive floats of each
    // row k (lda 48), and a strip is three 16×16 transposes of row-major A per 16 values of k.
    private const int TilesPerStrip = 8;
    private const int AStrip = TilesPerStrip * MR;

    // Split K: the length of one run of K (a multiple of KC; longer when K would need more than SplitMaxRuns runs, so
    // the partials stay within 64 × 64 K floats), the shortest K and the largest C it is used for.
    private const int SplitRun = 4 * KC;
    private const int SplitMaxRuns = 64;
    private const int SplitMinK = 2 * SplitRun;
    private const long SplitMaxC = 64 * 1024;
    private const int ReduceRowsPerChunk = 16;

    // Shared A: used when B has at least this many times as many columns as A has rows, for A up to this many rows
    // (all of them one block, so that every slice of B is packed once).
    private const int SharedAMinRatio = 8;
    private const int SharedAMaxM = 32 * MR;

    private readonly WorkerScratch[] _scratch;
    private readonly PinnedBuffer _packedShared = new();
    private readonly PinnedBuffer _partials = new();
    private Phase _phase;
    private int _mc;
    private int _nc;
    private int _panels;
    private int _strips;
    private float* _shared;
    private SimdWidth _width;
    private int _m;
    private int _n;
    private int _k;
    private float* _a;
    private nint _ars;
    private nint _acs;
    private float* _b;
    private nint _brs;
    private nint _bcs;
    private float* _c;
    private nint _ldc;
    private bool _accumulate;
    private int _mBlocks;

    // Split K: runs and their length, the partial C's row stride (whole 64-column panels), and whether A, B and C were exchanged.
    private int _runs;
    private int _runLength;
    private nint _ldp;
    private bool _swapped;

    private enum Phase
    {
        PackSharedA,
        PackSharedB,
        SharedA,
        SharedB,
        SplitK,
        Reduce,
    }

    /// <summary>Creates the job over the pool's per-worker scratch.</summary>
    public Gemm(WorkerScratch[] scratch) => _scratch = scratch;

    /// <summary>Runs C (=|+=) A·B on <paramref name="pool"/>.</summary>
    public void Run(WorkerPool pool, SimdWidth width, int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs,
        float* c, nint ldc, bool accumulate)
    {
        if (m <= 0 || n <= 0)
        {
            return;
        }

        if (k <= 0)
        {
            if (!accumulate)
            {
                for (int i = 0; i < m; i++)
                {
                    new Span<float>(c + (i * ldc), n).Clear();
                }
            }

            return;
        }

        _width = width;
        _c = c;
        _ldc = ldc;
        _accumulate = accumulate;
        _k = k;
        if (k >= SplitMinK && (long)m * n <= SplitMaxC)
        {
            RunSplitK(pool, m, n, a, ars, acs, b, brs, bcs);
            return;
        }

        SetOperands(m, n, a, ars, acs, b, brs, bcs);
        int kBlocks = (k + KC - 1) / KC;
        if (m <= SharedAMaxM && n >= SharedAMinRatio * m)
        {
            // Pass 1: all of A, packed once; pass 2: blocks of C as wide as keeps every worker busy.
            _strips = (m + AStrip - 1) / AStrip;
            _shared = _packedShared.Ensure((long)kBlocks * KC * _strips * AStrip);
            _phase = Phase.PackSharedA;
            pool.Run(this, kBlocks * _strips);

            _mc = (m + MR - 1) / MR * MR;
            _mBlocks = 1;
            _nc = NC;
            while (_nc > NR && (n + _nc - 1) / _nc < 4 * pool.Workers)
            {
                _nc -= NR;
            }

            _phase = Phase.SharedA;
            pool.Run(this, (n + _nc - 1) / _nc);
            return;
        }

        // Pass 1: all of B, packed once (KC slices of 64-column panels).
        _panels = (n + NR - 1) / NR;
        _shared = _packedShared.Ensure((long)kBlocks * KC * _panels * NR);
        _phase = Phase.PackSharedB;
        pool.Run(this, kBlocks * _panels);

        // Pass 2: C blocks, enough of them to keep every worker busy (A packing does not grow with their number).
        _nc = NC;
        int nBlocks = (n + NC - 1) / NC;
        _mc = 16 * MR;
        while (_mc > MR && ((m + _mc - 1) / _mc * nBlocks) < 4 * pool.Workers)
        {
            _mc = Math.Max(MR, (_mc / 2) + MR - 1) / MR * MR;
        }

        _mBlocks = (m + _mc - 1) / _mc;
        _phase = Phase.SharedB;
        pool.Run(this, _mBlocks * nBlocks);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        switch (_phase)
        {
            case Phase.PackSharedA:
            {
                int block = chunk / _strips, strip = chunk % _strips, p = block * KC, rows = Math.Min(KC, _k - p);
                PackStrip(_shared + ((long)p * _strips * AStrip) + ((long)strip * rows * AStrip), strip * AStrip, Math.Min(AStrip, _m - (strip * AStrip)), p, rows);
                return;
            }

            case Phase.PackSharedB:
            {
                int block = chunk / _panels, panel = chunk % _panels, p = block * KC, j = panel * NR, rows = Math.Min(KC, _k - p);
                PackB(_shared + ((long)p * _panels * NR) + ((long)panel * rows * NR), p, rows, j, Math.Min(NR, _n - j));
                return;
            }

            case Phase.SharedA:
                SharedABlock(chunk * _nc, worker);
                return;

            case Phase.SharedB:
                SharedBBlock(chunk % _mBlocks * _mc, chunk / _mBlocks * _nc, worker);
                return;

            case Phase.SplitK:
                SplitKRun(chunk, worker);
                return;

            default:
                ReduceRows(chunk, worker);
                return;
        }
    }

    private void SetOperands(int m, int n, float* a, nint ars, nint acs, float* b, nint brs, nint bcs)
    {
        _m = m;
        _n = n;
        _a = a;
        _ars = ars;
        _acs = acs;
        _b = b;
        _brs = brs;
        _bcs = bcs;
    }

    // One C block of all M rows × nc columns from the shared packed A; this chunk packs its own slices of B.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SharedABlock(int j0, int worker)
    {
        WorkerScratch scratch = _scratch[worker];
        int nc = Math.Min(_nc, _n - j0);
        float* packB = scratch.PackB.Ensure((long)KC * _nc);
        float* tile = scratch.Tile.Ensure(MR * NR);
        Segment* segment = scratch.Segments.Ensure(1);
        for (int p0 = 0; p0 < _k; p0 += KC)
        {
            int kc = Math.Min(KC, _k - p0);
            PackB(packB, p0, kc, j0, nc);
            *segment = new Segment(0, 0, kc);
            Multiply(_shared + ((long)p0 * _strips * AStrip), packB, segment, _m, nc, kc, _c + j0, _ldc, _accumulate || p0 > 0, tile);
        }
    }

    // One C block of mc rows × nc columns from the shared packed B; this chunk packs its own slices of A.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SharedBBlock(int i0, int j0, int worker)
    {
        WorkerScratch scratch = _scratch[worker];
        int mc = Math.Min(_mc, _m - i0), nc = Math.Min(_nc, _n - j0);
        float* packA = scratch.PackA.Ensure((long)(_mc + AStrip - 1) / AStrip * AStrip * KC);
        float* tile = scratch.Tile.Ensure(MR * NR);
        Segment* segment = scratch.Segments.Ensure(1);
        for (int p0 = 0; p0 < _k; p0 += KC)
        {
            int kc = Math.Min(KC, _k - p0);
            float* packB = _shared + ((long)p0 * _panels * NR) + ((long)(j0 / NR) * kc * NR);
            PackStrips(packA, i0, mc, p0, kc);
            *segment = new Segment(0, 0, kc);
            Multiply(packA, packB, segment, mc, nc, kc, _c + (i0 * _ldc) + j0, _ldc, _accumulate || p0 > 0, tile);
        }
    }

    // C block (rows × cols) from packed 48-row strips of A and 64-column panels of B over one KC slice; each B panel
    // is read from L1 by every row tile in turn.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Multiply(float* packA, float* packB, Segment* segment, int rows, int cols, int kc, float* c, nint ldc, bool add, float* tile)
    {
        int mTiles = (rows + MR - 1) / MR, nPanels = (cols + NR - 1) / NR;
        for (int jp = 0; jp < nPanels; jp++)
        {
            int panelCols = Math.Min(NR, cols - (jp * NR));
            int vectors = (panelCols + 15) / 16;
            float* bPanel = packB + ((long)jp * kc * NR);
            for (int t = 0; t < mTiles; t++)
            {
                int tileRows = Math.Min(MR, rows - (t * MR));
                float* aPanel = packA + ((long)(t / TilesPerStrip) * kc * AStrip) + (t % TilesPerStrip * MR);
                float* cTile = c + (t * MR * ldc) + (jp * NR);
                if (panelCols == vectors * 16)
                {
                    MicroKernel.Run(_width, tileRows, vectors, aPanel, bPanel, segment, 1, AStrip, NR, cTile, ldc, add);
                    continue;
                }

                MicroKernel.Run(_width, tileRows, vectors, aPanel, bPanel, segment, 1, AStrip, NR, tile, NR, false);
                for (int r = 0; r < tileRows; r++)
                {
                    float* src = tile + (r * NR);
                    float* dst = cTile + (r * ldc);
                    for (int j = 0; j < panelCols; j++)
                    {
                        dst[j] = add ? dst[j] + src[j] : src[j];
                    }
                }
            }
        }
    }

    private void RunSplitK(WorkerPool pool, int m, int n, float* a, nint ars, nint acs, float* b, nint brs, nint bcs)
    {
        // Cᵀ = Bᵀ·Aᵀ when its rows and columns fill the 6×64 tile better.
        _swapped = PaddedArea(n, m) < PaddedArea(m, n);
        if (_swapped)
        {
            SetOperands(n, m, b, bcs, brs, a, acs, ars);
        }
        else
        {
            SetOperands(m, n, a, ars, acs, b, brs, bcs);
        }

        _runLength = Math.Max(SplitRun, ((_k + SplitMaxRuns - 1) / SplitMaxRuns + KC - 1) / KC * KC);
        _runs = (_k + _runLength - 1) / _runLength;
        _ldp = (_n + NR - 1) / NR * NR;
        _partials.Ensure((long)_runs * _m * _ldp);
        _phase = Phase.SplitK;
        pool.Run(this, _runs);

        _phase = Phase.Reduce;
        pool.Run(this, (_m + ReduceRowsPerChunk - 1) / ReduceRowsPerChunk);
    }

    private static long PaddedArea(int rows, int cols) => (long)(rows + MR - 1) / MR * MR * ((cols + NR - 1) / NR * NR);

    // Split K: the partial product of one run of K, all of C, packing both operands slice by slice.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SplitKRun(int run, int worker)
    {
        WorkerScratch scratch = _scratch[worker];
        float* packA = scratch.PackA.Ensure((long)(_m + AStrip - 1) / AStrip * AStrip * KC);
        float* packB = scratch.PackB.Ensure((long)KC * _ldp);
        float* tile = scratch.Tile.Ensure(MR * NR);
        Segment* segment = scratch.Segments.Ensure(1);
        float* partial = _partials.Pointer + ((long)run * _m * _ldp);
        int start = run * _runLength, end = Math.Min(_k, start + _runLength);
        for (int p0 = start; p0 < end; p0 += KC)
        {
            int kc = Math.Min(KC, end - p0);
            PackStrips(packA, 0, _m, p0, kc);
            PackB(packB, p0, kc, 0, _n);
            *segment = new Segment(0, 0, kc);
            Multiply(packA, packB, segment, _m, (int)_ldp, kc, partial, _ldp, p0 > start, tile);
        }
    }

    // Split K: C (=|+=) the partials added in run order, written transposed when the product was Cᵀ.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReduceRows(int chunk, int worker)
    {
        int first = chunk * ReduceRowsPerChunk, last = Math.Min(_m, first + ReduceRowsPerChunk);
        int length = (int)((last - first) * _ldp);
        float* block = _partials.Pointer + (first * _ldp);
        float* sum = _scratch[worker].Tile.Ensure(length);
        new ReadOnlySpan<float>(block, length).CopyTo(new Span<float>(sum, length));
        for (int r = 1; r < _runs; r++)
        {
            SimdAt.Add(_width, sum, block + (r * (long)_m * _ldp), sum, length);
        }

        for (int i = first; i < last; i++)
        {
            float* row = sum + ((i - first) * _ldp);
            if (!_swapped)
            {
                float* c = _c + (i * _ldc);
                if (_accumulate)
                {
                    SimdAt.Add(_width, c, row, c, _n);
                }
                else
                {
                    new ReadOnlySpan<float>(row, _n).CopyTo(new Span<float>(c, _n));
                }

                continue;
            }

            // Row i of Cᵀ is column i of C.
            float* column = _c + i;
            for (int j = 0; j < _n; j++)
            {
                column[j * _ldc] = _accumulate ? column[j * _ldc] + row[j] : row[j];
            }
        }
    }

    /// <summary>Packs rows [i0, i0 + mc) of A, columns [p0, p0 + kc), into consecutive 48-row strips.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackStrips(float* dst, int i0, int mc, int p0, int kc)
    {
        for (int s = 0; s * AStrip < mc; s++)
        {
            PackStrip(dst + ((long)s * kc * AStrip), i0 + (s * AStrip), Math.Min(AStrip, mc - (s * AStrip)), p0, kc);
        }
    }

    /// <summary>
    /// Packs one strip of A, rows [i0, i0 + rows) (rows ≤ 48) and columns [p0, p0 + kc), as [k][48]. Rows past
    /// <paramref name="rows"/> are left unset: the micro-kernel reads only a tile's real rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackStrip(float* dst, int i0, int rows, int p0, int kc)
    {
        float* src = _a + (i0 * _ars) + (p0 * _acs);
        if (_ars == 1)
        {
            // A stored transposed: each k is already a run of consecutive rows.
            for (int k = 0; k < kc; k++)
            {
                new ReadOnlySpan<float>(src + (k * _acs), rows).CopyTo(new Span<float>(dst + (k * AStrip), rows));
            }

            return;
        }

        int g = 0;
        if (_acs == 1)
        {
            // Row-major A: 16×16 register transposes, 16 rows at a time.
            for (; g + 16 <= rows; g += 16)
            {
                TransposeSixteen(src + (g * _ars), _ars, kc, dst + g, AStrip);
            }
        }

        for (; g < rows; g++)
        {
            float* s = src + (g * _ars);
            for (int k = 0; k < kc; k++)
            {
                dst[(k * AStrip) + g] = s[k * _acs];
            }
        }
    }

    /// <summary>
    /// dst[k·ldd + r] = src[r·stride + k] for r &lt; 16 and k &lt; kc: sixteen rows that are contiguous in k, stored k-major,
    /// by 16×16 register transposes (the last kc mod 16 values one by one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransposeSixteen(float* src, nint stride, int kc, float* dst, nint ldd)
    {
        int k = 0;
        for (; k + 16 <= kc; k += 16)
        {
            SimdAt.Transpose16(_width, src + k, stride, dst + (k * ldd), ldd);
        }

        for (; k < kc; k++)
        {
            for (int r = 0; r < 16; r++)
            {
                dst[(k * ldd) + r] = src[(r * stride) + k];
            }
        }
    }

    /// <summary>Packs B[p0.., j0..] into 64-column panels [panel][k][64], zero columns past N.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackB(float* dst, int p0, int kc, int j0, int nc)
    {
        if (_bcs == 1)
        {
            PackRowMajorB(dst, p0, kc, j0, nc);
            return;
        }

        int panels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < panels; jp++)
        {
            float* panel = dst + ((long)jp * kc * NR);
            int cols = Math.Min(NR, nc - (jp * NR));
            float* src = _b + (p0 * _brs) + ((j0 + (jp * NR)) * _bcs);
            int j = 0;
            if (_brs == 1)
            {
                // B stored transposed (its columns contiguous): 16×16 register transposes.
                for (; j + 16 <= cols; j += 16)
                {
                    TransposeSixteen(src + (j * _bcs), _bcs, kc, panel + j, NR);
                }
            }

            for (; j < NR; j++)
            {
                float* d = panel + j;
                if (j < cols)
                {
                    float* s = src + (j * _bcs);
                    for (int k = 0; k < kc; k++)
                    {
                        d[k * NR] = s[k * _brs];
                    }
                }
                else
                {
                    for (int k = 0; k < kc; k++)
                    {
                        d[k * NR] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// <see cref="PackB"/> for B with contiguous rows: each row of the block is read once, front to back (rows of a
    /// wide B are far apart, and reading a row in 64-column pieces, panel by panel, restarts its stream each time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackRowMajorB(float* dst, int p0, int kc, int j0, int nc)
    {
        int panels = (nc + NR - 1) / NR;
        for (int k = 0; k < kc; k++)
        {
            float* src = _b + ((p0 + k) * _brs) + j0;
            for (int jp = 0; jp < panels; jp++)
            {
                int cols = Math.Min(NR, nc - (jp * NR));
                var d = new Span<float>(dst + ((long)jp * kc * NR) + (k * NR), NR);
                new ReadOnlySpan<float>(src + (jp * NR), cols).CopyTo(d);
                d[cols..].Clear();
            }
        }
    }
}
