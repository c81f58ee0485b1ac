// The register-blocked inner kernel of every fast CPU GEMM and convolution: a tile of up to 6 rows × 64 columns
// of C held in 24 Vector512 accumulators, updated by rank-1 FMAs over a list of K segments (Goto & van de Geijn's
// micro-kernel, with the K loop split into segments so a convolution can skip the taps that fall on padding).
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

/// <summary>
/// One run of the K loop: rows k of A at <c>aBase + A + k·lda</c> (the tile's rows are consecutive floats there)
/// and rows k of B at <c>bBase + B + k·ldb</c> (the tile's columns are consecutive floats), for k in [0, K).
/// </summary>
internal struct Segment
{
    /// <summary>Offset of the first A row from the A base, in floats.</summary>
    public nint A;

    /// <summary>Offset of the first B row from the B base, in floats.</summary>
    public nint B;

    /// <summary>Rows in this run.</summary>
    public int K;

    /// <summary>Creates a segment.</summary>
    public Segment(nint a, nint b, int k)
    {
        A = a;
        B = b;
        K = k;
    }
}

/// <summary>A compile-time integer for generic specialisation: the JIT folds <see cref="Value"/> per struct type.</summary>
internal interface IConstant
{
    /// <summary>The value.</summary>
    static abstract int Value { get; }
}

internal struct Const1 : IConstant
{
    public static int Value => 1;
}

internal struct Const2 : IConstant
{
    public static int Value => 2;
}

internal struct Const3 : IConstant
{
    public static int Value => 3;
}

internal struct Const4 : IConstant
{
    public static int Value => 4;
}

internal struct Const5 : IConstant
{
    public static int Value => 5;
}

internal struct Const6 : IConstant
{
    public static int Value => 6;
}

/// <summary>
/// C[r, j] (=|+=) Σ over segments s and k &lt; K_s of A[s, k, r] · B[s, k, j] for r &lt; rows (≤ 6) and
/// j &lt; 16·vectors (≤ 64). B rows are read 16·vectors floats wide, so B buffers must be padded to 16 floats.
/// The same (rows, vectors, segments) always give the same bits: the summation order is fixed.
/// </summary>
internal static unsafe class MicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 6;

    /// <summary>Columns of the register tile (four 16-float vectors).</summary>
    public const int NR = 64;

    /// <summary>Whether the 512-bit kernels run on this machine.</summary>
    public static bool Use512 { get; } = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    /// <summary>Runs the tile kernel.</summary>
    /// <param name="simd">Use the Vector512 kernel (false forces the portable one, for tests).</param>
    /// <param name="rows">Rows of C, 1..6.</param>
    /// <param name="vectors">16-float column groups of C, 1..4.</param>
    /// <param name="aBase">Base of A.</param>
    /// <param name="bBase">Base of B.</param>
    /// <param name="segments">The K runs.</param>
    /// <param name="count">Number of runs (0 gives a zero tile, or C unchanged when accumulating).</param>
    /// <param name="lda">Step between A rows, in floats.</param>
    /// <param name="ldb">Step between B rows, in floats.</param>
    /// <param name="c">The tile's first element.</param>
    /// <param name="ldc">Step between C rows, in floats.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void Run(bool simd, int rows, int vectors, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
    {
        if (!simd)
        {
            Portable(rows, vectors * 16, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
            return;
        }

        switch (vectors)
        {
            case 4:
                ByRows<Const4>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 3:
                ByRows<Const3>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 2:
                ByRows<Const2>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 1:
                ByRows<Const1>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(vectors), vectors, "Expected 1..4 vectors.");
        }
    }

    private static void ByRows<TV>(int rows, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
        where TV : struct, IConstant
    {
        switch (rows)
        {
            case 6:
                Tile512<Const6, TV>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 5:
                Tile512<Const5, TV>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 4:
                Tile512<Const4, TV>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 3:
                Tile512<Const3, TV>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 2:
                Tile512<Const2, TV>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 1:
                Tile512<Const1, TV>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(rows), rows, "Expected 1..6 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512<TR, TV>(float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
        where TR : struct, IConstant
        where TV : struct, IConstant
    {
        int r = TR.Value, v = TV.Value;
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
        if (accumulate)
        {
            float* p = c;
            c00 = Vector512.Load(p);
            if (v > 1) c01 = Vector512.Load(p + 16);
            if (v > 2) c02 = Vector512.Load(p + 32);
            if (v > 3) c03 = Vector512.Load(p + 48);
            if (r > 1)
            {
                p += ldc;
                c10 = Vector512.Load(p);
                if (v > 1) c11 = Vector512.Load(p + 16);
                if (v > 2) c12 = Vector512.Load(p + 32);
                if (v > 3) c13 = Vector512.Load(p + 48);
            }

            if (r > 2)
            {
                p += ldc;
                c20 = Vector512.Load(p);
                if (v > 1) c21 = Vector512.Load(p + 16);
                if (v > 2) c22 = Vector512.Load(p + 32);
                if (v > 3) c23 = Vector512.Load(p + 48);
            }

            if (r > 3)
            {
                p += ldc;
                c30 = Vector512.Load(p);
                if (v > 1) c31 = Vector512.Load(p + 16);
                if (v > 2) c32 = Vector512.Load(p + 32);
                if (v > 3) c33 = Vector512.Load(p + 48);
            }

            if (r > 4)
            {
                p += ldc;
                c40 = Vector512.Load(p);
                if (v > 1) c41 = Vector512.Load(p + 16);
                if (v > 2) c42 = Vector512.Load(p + 32);
                if (v > 3) c43 = Vector512.Load(p + 48);
            }

            if (r > 5)
            {
                p += ldc;
                c50 = Vector512.Load(p);
                if (v > 1) c51 = Vector512.Load(p + 16);
                if (v > 2) c52 = Vector512.Load(p + 32);
                if (v > 3) c53 = Vector512.Load(p + 48);
            }
        }

        for (int s = 0; s < count; s++)
        {
            float* a = aBase + segments[s].A;
            float* b = bBase + segments[s].B;
            for (int k = segments[s].K; k > 0; k--)
            {
                Vector512<float> b0 = Vector512.Load(b);
                Vector512<float> b1 = v > 1 ? Vector512.Load(b + 16) : default;
                Vector512<float> b2 = v > 2 ? Vector512.Load(b + 32) : default;
                Vector512<float> b3 = v > 3 ? Vector512.Load(b + 48) : default;
                Vector512<float> av = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
                if (v > 1) c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
                if (v > 2) c02 = Avx512F.FusedMultiplyAdd(av, b2, c02);
                if (v > 3) c03 = Avx512F.FusedMultiplyAdd(av, b3, c03);
                if (r > 1)
                {
                    av = Vector512.Create(a[1]);
                    c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
                    if (v > 1) c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
                    if (v > 2) c12 = Avx512F.FusedMultiplyAdd(av, b2, c12);
                    if (v > 3) c13 = Avx512F.FusedMultiplyAdd(av, b3, c13);
                }

                if (r > 2)
                {
                    av = Vector512.Create(a[2]);
                    c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
                    if (v > 1) c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
                    if (v > 2) c22 = Avx512F.FusedMultiplyAdd(av, b2, c22);
                    if (v > 3) c23 = Avx512F.FusedMultiplyAdd(av, b3, c23);
                }

                if (r > 3)
                {
                    av = Vector512.Create(a[3]);
                    c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
                    if (v > 1) c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
                    if (v > 2) c32 = Avx512F.FusedMultiplyAdd(av, b2, c32);
                    if (v > 3) c33 = Avx512F.FusedMultiplyAdd(av, b3, c33);
                }

                if (r > 4)
                {
                    av = Vector512.Create(a[4]);
                    c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
                    if (v > 1) c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                    if (v > 2) c42 = Avx512F.FusedMultiplyAdd(av, b2, c42);
                    if (v > 3) c43 = Avx512F.FusedMultiplyAdd(av, b3, c43);
                }

                if (r > 5)
                {
                    av = Vector512.Create(a[5]);
                    c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
                    if (v > 1) c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                    if (v > 2) c52 = Avx512F.FusedMultiplyAdd(av, b2, c52);
                    if (v > 3) c53 = Avx512F.FusedMultiplyAdd(av, b3, c53);
                }

                a += lda;
                b += ldb;
            }
        }

        float* q = c;
        Vector512.Store(c00, q);
        if (v > 1) Vector512.Store(c01, q + 16);
        if (v > 2) Vector512.Store(c02, q + 32);
        if (v > 3) Vector512.Store(c03, q + 48);
        if (r > 1)
        {
            q += ldc;
            Vector512.Store(c10, q);
            if (v > 1) Vector512.Store(c11, q + 16);
            if (v > 2) Vector512.Store(c12, q + 32);
            if (v > 3) Vector512.Store(c13, q + 48);
        }

        if (r > 2)
        {
            q += ldc;
            Vector512.Store(c20, q);
            if (v > 1) Vector512.Store(c21, q + 16);
            if (v > 2) Vector512.Store(c22, q + 32);
            if (v > 3) Vector512.Store(c23, q + 48);
        }

        if (r > 3)
        {
            q += ldc;
            Vector512.Store(c30, q);
            if (v > 1) Vector512.Store(c31, q + 16);
            if (v > 2) Vector512.Store(c32, q + 32);
            if (v > 3) Vector512.Store(c33, q + 48);
        }

        if (r > 4)
        {
            q += ldc;
            Vector512.Store(c40, q);
            if (v > 1) Vector512.Store(c41, q + 16);
            if (v > 2) Vector512.Store(c42, q + 32);
            if (v > 3) Vector512.Store(c43, q + 48);
        }

        if (r > 5)
        {
            q += ldc;
            Vector512.Store(c50, q);
            if (v > 1) Vector512.Store(c51, q + 16);
            if (v > 2) Vector512.Store(c52, q + 32);
            if (v > 3) Vector512.Store(c53, q + 48);
        }
    }

    /// <summary>
    /// The same tile without Vector512: per 16-column group, accumulators in a small stack tile updated with
    /// <see cref="System.Numerics.Vector{T}"/> multiply-adds (FMA when the hardware has it, so results may differ
    /// in the last bit from the 512-bit kernel, but never between thread counts).
    /// </summary>
    private static void Portable(int rows, int columns, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
    {
        float* acc = stackalloc float[MR * 16];
        for (int j0 = 0; j0 < columns; j0 += 16)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < 16; j++)
                {
                    acc[(r * 16) + j] = accumulate ? c[(r * ldc) + j0 + j] : 0f;
                }
            }

            for (int s = 0; s < count; s++)
            {
                float* a = aBase + segments[s].A;
                float* b = bBase + segments[s].B + j0;
                for (int k = segments[s].K; k > 0; k--)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        float ar = a[r];
                        float* row = acc + (r * 16);
                        if (Vector256.IsHardwareAccelerated)
                        {
                            Vector256<float> va = Vector256.Create(ar);
                            Vector256.Store(Vector256.FusedMultiplyAdd(va, Vector256.Load(b), Vector256.Load(row)), row);
                            Vector256.Store(Vector256.FusedMultiplyAdd(va, Vector256.Load(b + 8), Vector256.Load(row + 8)), row + 8);
                        }
                        else
                        {
                            for (int j = 0; j < 16; j++)
                            {
                                row[j] = MathF.FusedMultiplyAdd(ar, b[j], row[j]);
                            }
                        }
                    }

                    a += lda;
                    b += ldb;
                }
            }

            for (int r = 0; r < rows; r++)
            {
                for (int j = 0; j < 16; j++)
                {
                    c[(r * ldc) + j0 + j] = acc[(r * 16) + j];
                }
            }
        }
    }
}
