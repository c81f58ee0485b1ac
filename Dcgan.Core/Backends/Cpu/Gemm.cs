// Packed, cache-blocked single-precision GEMM (Goto & van de Geijn 2008, BLIS loop order): B is packed once into
// 64-column panels per KC slice (a parallel pass), then C blocks of MC×NC are the parallel chunks, each packing its
// KC slices of A (6-row panels) and running the 6×64 micro-kernel. Every C element is summed over K in one fixed
// order whatever the block sizes, so blocks may follow the thread count and results still do not.
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

    private readonly WorkerScratch[] _scratch;
    private readonly PinnedBuffer _packedB = new();
    private bool _packing;
    private int _mc;
    private int _panels;
    private float* _bPacked;
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
        _m = m;
        _n = n;
        _k = k;
        _a = a;
        _ars = ars;
        _acs = acs;
        _b = b;
        _brs = brs;
        _bcs = bcs;
        _c = c;
        _ldc = ldc;
        _accumulate = accumulate;

        // Pass 1: all of B, packed once (KC slices of 64-column panels).
        _panels = (n + MicroKernel.NR - 1) / MicroKernel.NR;
        int kBlocks = (k + KC - 1) / KC;
        _bPacked = _packedB.Ensure((long)kBlocks * KC * _panels * MicroKernel.NR);
        _packing = true;
        pool.Run(this, kBlocks * _panels);

        // Pass 2: C blocks, enough of them to keep every worker busy (A packing does not grow with their number).
        int nBlocks = (n + NC - 1) / NC;
        _mc = 16 * MicroKernel.MR;
        while (_mc > MicroKernel.MR && ((m + _mc - 1) / _mc * nBlocks) < 4 * pool.Workers)
        {
            _mc = Math.Max(MicroKernel.MR, (_mc / 2) + MicroKernel.MR - 1) / MicroKernel.MR * MicroKernel.MR;
        }

        _mBlocks = (m + _mc - 1) / _mc;
        _packing = false;
        pool.Run(this, _mBlocks * nBlocks);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        if (_packing)
        {
            int block = chunk / _panels, panel = chunk % _panels, p = block * KC, j = panel * MicroKernel.NR;
            int rows = Math.Min(KC, _k - p);
            PackB(_bPacked + ((long)p * _panels * MicroKernel.NR) + ((long)panel * rows * MicroKernel.NR), p, rows, j, Math.Min(MicroKernel.NR, _n - j));
            return;
        }

        WorkerScratch scratch = _scratch[worker];
        int i0 = chunk % _mBlocks * _mc, j0 = chunk / _mBlocks * NC;
        int mc = Math.Min(_mc, _m - i0), nc = Math.Min(NC, _n - j0);
        int mTiles = (mc + MicroKernel.MR - 1) / MicroKernel.MR, nPanels = (nc + MicroKernel.NR - 1) / MicroKernel.NR;
        float* packA = scratch.PackA.Ensure((long)_mc * KC);
        float* tile = scratch.Tile.Ensure(MicroKernel.MR * MicroKernel.NR);
        Segment* segment = scratch.Segments.Ensure(1);
        for (int p0 = 0; p0 < _k; p0 += KC)
        {
            int kc = Math.Min(KC, _k - p0);
            float* packB = _bPacked + ((long)p0 * _panels * MicroKernel.NR) + ((long)(j0 / MicroKernel.NR) * kc * MicroKernel.NR);
            PackA(packA, i0, mc, p0, kc);
            bool add = _accumulate || p0 > 0;
            *segment = new Segment(0, 0, kc);
            for (int jp = 0; jp < nPanels; jp++)
            {
                int cols = Math.Min(MicroKernel.NR, nc - (jp * MicroKernel.NR));
                int vectors = (cols + 15) / 16;
                float* bPanel = packB + ((long)jp * kc * MicroKernel.NR);
                for (int t = 0; t < mTiles; t++)
                {
                    int rows = Math.Min(MicroKernel.MR, mc - (t * MicroKernel.MR));
                    float* aPanel = packA + ((long)t * kc * MicroKernel.MR);
                    float* cTile = _c + ((i0 + (t * MicroKernel.MR)) * _ldc) + j0 + (jp * MicroKernel.NR);
                    if (cols == vectors * 16)
                    {
                        MicroKernel.Run(_width, rows, vectors, aPanel, bPanel, segment, 1, MicroKernel.MR, MicroKernel.NR, cTile, _ldc, add);
                    }
                    else
                    {
                        MicroKernel.Run(_width, rows, vectors, aPanel, bPanel, segment, 1, MicroKernel.MR, MicroKernel.NR, tile, MicroKernel.NR, false);
                        for (int r = 0; r < rows; r++)
                        {
                            float* src = tile + (r * MicroKernel.NR);
                            float* dst = cTile + (r * _ldc);
                            for (int j = 0; j < cols; j++)
                            {
                                dst[j] = add ? dst[j] + src[j] : src[j];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs A[i0.., p0..] into 6-row panels [tile][k][6], zero rows past M.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackA(float* dst, int i0, int mc, int p0, int kc)
    {
        int tiles = (mc + MicroKernel.MR - 1) / MicroKernel.MR;
        for (int t = 0; t < tiles; t++)
        {
            float* panel = dst + ((long)t * kc * MicroKernel.MR);
            int rows = Math.Min(MicroKernel.MR, mc - (t * MicroKernel.MR));
            float* src = _a + ((i0 + (t * MicroKernel.MR)) * _ars) + (p0 * _acs);
            if (_ars == 1)
            {
                for (int k = 0; k < kc; k++)
                {
                    float* s = src + (k * _acs);
                    float* d = panel + (k * MicroKernel.MR);
                    for (int r = 0; r < MicroKernel.MR; r++)
                    {
                        d[r] = r < rows ? s[r] : 0f;
                    }
                }
            }
            else
            {
                for (int r = 0; r < MicroKernel.MR; r++)
                {
                    float* s = src + (r * _ars);
                    float* d = panel + r;
                    if (r < rows)
                    {
                        for (int k = 0; k < kc; k++)
                        {
                            d[k * MicroKernel.MR] = s[k * _acs];
                        }
                    }
                    else
                    {
                        for (int k = 0; k < kc; k++)
                        {
                            d[k * MicroKernel.MR] = 0f;
                        }
                    }
                }
            }
        }
    }

    /// <summary>Packs B[p0.., j0..] into 64-column panels [panel][k][64], zero columns past N.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackB(float* dst, int p0, int kc, int j0, int nc)
    {
        int panels = (nc + MicroKernel.NR - 1) / MicroKernel.NR;
        for (int jp = 0; jp < panels; jp++)
        {
            float* panel = dst + ((long)jp * kc * MicroKernel.NR);
            int cols = Math.Min(MicroKernel.NR, nc - (jp * MicroKernel.NR));
            float* src = _b + (p0 * _brs) + ((j0 + (jp * MicroKernel.NR)) * _bcs);
            if (_bcs == 1)
            {
                for (int k = 0; k < kc; k++)
                {
                    var d = new Span<float>(panel + (k * MicroKernel.NR), MicroKernel.NR);
                    new ReadOnlySpan<float>(src + (k * _brs), cols).CopyTo(d);
                    d[cols..].Clear();
                }
            }
            else
            {
                int j = 0;
                if (_brs == 1)
                {
                    // B stored transposed (its columns contiguous): 16×16 register transposes.
                    for (; j + 16 <= cols; j += 16)
                    {
                        int k = 0;
                        for (; k + 16 <= kc; k += 16)
                        {
                            SimdAt.Transpose16(_width, src + (j * _bcs) + k, _bcs, panel + (k * MicroKernel.NR) + j, MicroKernel.NR);
                        }

                        for (; k < kc; k++)
                        {
                            for (int jj = j; jj < j + 16; jj++)
                            {
                                panel[(k * MicroKernel.NR) + jj] = src[(jj * _bcs) + k];
                            }
                        }
                    }
                }

                for (; j < MicroKernel.NR; j++)
                {
                    float* d = panel + j;
                    if (j < cols)
                    {
                        float* s = src + (j * _bcs);
                        for (int k = 0; k < kc; k++)
                        {
                            d[k * MicroKernel.NR] = s[k * _brs];
                        }
                    }
                    else
                    {
                        for (int k = 0; k < kc; k++)
                        {
                            d[k * MicroKernel.NR] = 0f;
                        }
                    }
                }
            }
        }
    }
}
