// The register-blocked inner kernel of every fast CPU GEMM and convolution: a tile of up to 6 rows of C held in
// accumulator registers, updated by rank-1 FMAs over a list of K segments (Goto & van de Geijn's micro-kernel, with
// the K loop split into segments so a convolution can skip the taps that fall on padding). One generic kernel for
// every vector width; the tile's width follows the register file (Widths.cs): 6×64 at 512-bit, 6×16 at 256-bit,
// 6×16 on ARM64 and 6×8 on x86 at 128-bit, 6×4 scalar. Callers see 16-column groups whatever the width.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
/// j &lt; 16·groups (≤ 64). B rows are read 16·groups floats wide, so B buffers must be padded to 16 floats.
/// Every C element is one chain of multiply-adds in segment and k order, the same at every width (FMA where the
/// hardware has it), so the same inputs give the same bits at any width with FMA and for any thread count.
/// </summary>
internal static unsafe class MicroKernel
{
    /// <summary>Rows of the register tile.</summary>
    public const int MR = 6;

    /// <summary>Columns a caller may ask for at once (four 16-float groups).</summary>
    public const int NR = 64;

    /// <summary>Runs the tile kernel.</summary>
    /// <param name="width">The vector width to compute with.</param>
    /// <param name="rows">Rows of C, 1..6.</param>
    /// <param name="groups">16-float column groups of C, 1..4.</param>
    /// <param name="aBase">Base of A.</param>
    /// <param name="bBase">Base of B.</param>
    /// <param name="segments">The K runs.</param>
    /// <param name="count">Number of runs (0 gives a zero tile, or C unchanged when accumulating).</param>
    /// <param name="lda">Step between A rows, in floats.</param>
    /// <param name="ldb">Step between B rows, in floats.</param>
    /// <param name="c">The tile's first element.</param>
    /// <param name="ldc">Step between C rows, in floats.</param>
    /// <param name="accumulate">Add to C instead of overwriting it.</param>
    public static void Run(SimdWidth width, int rows, int groups, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
    {
        if ((uint)(groups - 1) >= 4)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups, "Expected 1..4 column groups.");
        }

        if ((uint)(rows - 1) >= MR)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "Expected 1..6 rows.");
        }

        switch (width)
        {
            case SimdWidth.V512:
                Strips<W512, Vector512<float>>(rows, groups * 16, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case SimdWidth.V256:
                Strips<W256, Vector256<float>>(rows, groups * 16, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case SimdWidth.V128:
                Strips<W128, Vector128<float>>(rows, groups * 16, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            default:
                Strips<W1, float>(rows, groups * 16, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
        }
    }

    // Rows of K a group of short segments may hold: 128 rows of 64 floats (32 KB of B) are read by every strip from
    // L1/L2 instead of streaming each strip's rows anew (weight gradients of strided layers: segments of 32 rows).
    private const int StripBlock = 128;

    // The columns in strips as wide as the width's tile (or one narrower strip when fewer columns are asked for).
    // With several strips, short segments go in groups of about StripBlock rows, every strip over one group before
    // the next, so a group's B rows are read from L1 by all strips; C carries the sum between groups, so every
    // element's chain of multiply-adds, and its bits, stay the same.
    private static void Strips<TW, TV>(int rows, int columns, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int strip = TW.TileVectors * TW.Count;
        if (columns <= strip)
        {
            ByRows<TW, TV>(columns / TW.Count, rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
            return;
        }

        int first = 0;
        do
        {
            int last = first, k = 0;
            while (last < count && (last == first || k + segments[last].K <= StripBlock))
            {
                k += segments[last].K;
                last++;
            }

            for (int j = 0; j < columns; j += strip)
            {
                ByRows<TW, TV>(TW.TileVectors, rows, aBase, bBase + j, segments + first, last - first, lda, ldb, c + j, ldc, accumulate || first > 0);
            }

            first = last;
        }
        while (first < count);
    }

    private static void ByRows<TW, TV>(int vectors, int rows, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        switch (vectors)
        {
            case 4:
                ByRows<TW, TV, Const4>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 3:
                ByRows<TW, TV, Const3>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 2:
                ByRows<TW, TV, Const2>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            default:
                ByRows<TW, TV, Const1>(rows, aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
        }
    }

    private static void ByRows<TW, TV, TC>(int rows, float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
        where TW : struct, IWidth<TV>
        where TV : struct
        where TC : struct, IConstant
    {
        switch (rows)
        {
            case 6:
                Tile<TW, TV, Const6, TC>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 5:
                Tile<TW, TV, Const5, TC>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 4:
                Tile<TW, TV, Const4, TC>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 3:
                Tile<TW, TV, Const3, TC>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            case 2:
                Tile<TW, TV, Const2, TC>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
            default:
                Tile<TW, TV, Const1, TC>(aBase, bBase, segments, count, lda, ldb, c, ldc, accumulate);
                break;
        }
    }

    // TR rows × TC registers of accumulators; the JIT drops every branch on TR and TC, leaving straight-line FMAs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TW, TV, TR, TC>(float* aBase, float* bBase, Segment* segments, int count,
        nint lda, nint ldb, float* c, nint ldc, bool accumulate)
        where TW : struct, IWidth<TV>
        where TV : struct
        where TR : struct, IConstant
        where TC : struct, IConstant
    {
        int r = TR.Value, v = TC.Value, w = TW.Count;
        TV c00 = TW.Zero, c01 = TW.Zero, c02 = TW.Zero, c03 = TW.Zero;
        TV c10 = TW.Zero, c11 = TW.Zero, c12 = TW.Zero, c13 = TW.Zero;
        TV c20 = TW.Zero, c21 = TW.Zero, c22 = TW.Zero, c23 = TW.Zero;
        TV c30 = TW.Zero, c31 = TW.Zero, c32 = TW.Zero, c33 = TW.Zero;
        TV c40 = TW.Zero, c41 = TW.Zero, c42 = TW.Zero, c43 = TW.Zero;
        TV c50 = TW.Zero, c51 = TW.Zero, c52 = TW.Zero, c53 = TW.Zero;
        if (accumulate)
        {
            float* p = c;
            c00 = TW.Load(p);
            if (v > 1) c01 = TW.Load(p + w);
            if (v > 2) c02 = TW.Load(p + (2 * w));
            if (v > 3) c03 = TW.Load(p + (3 * w));
            if (r > 1)
            {
                p += ldc;
                c10 = TW.Load(p);
                if (v > 1) c11 = TW.Load(p + w);
                if (v > 2) c12 = TW.Load(p + (2 * w));
                if (v > 3) c13 = TW.Load(p + (3 * w));
            }

            if (r > 2)
            {
                p += ldc;
                c20 = TW.Load(p);
                if (v > 1) c21 = TW.Load(p + w);
                if (v > 2) c22 = TW.Load(p + (2 * w));
                if (v > 3) c23 = TW.Load(p + (3 * w));
            }

            if (r > 3)
            {
                p += ldc;
                c30 = TW.Load(p);
                if (v > 1) c31 = TW.Load(p + w);
                if (v > 2) c32 = TW.Load(p + (2 * w));
                if (v > 3) c33 = TW.Load(p + (3 * w));
            }

            if (r > 4)
            {
                p += ldc;
                c40 = TW.Load(p);
                if (v > 1) c41 = TW.Load(p + w);
                if (v > 2) c42 = TW.Load(p + (2 * w));
                if (v > 3) c43 = TW.Load(p + (3 * w));
            }

            if (r > 5)
            {
                p += ldc;
                c50 = TW.Load(p);
                if (v > 1) c51 = TW.Load(p + w);
                if (v > 2) c52 = TW.Load(p + (2 * w));
                if (v > 3) c53 = TW.Load(p + (3 * w));
            }
        }

        for (int s = 0; s < count; s++)
        {
            float* a = aBase + segments[s].A;
            float* b = bBase + segments[s].B;
            for (int k = segments[s].K; k > 0; k--)
            {
                TV b0 = TW.Load(b);
                TV b1 = v > 1 ? TW.Load(b + w) : TW.Zero;
                TV b2 = v > 2 ? TW.Load(b + (2 * w)) : TW.Zero;
                TV b3 = v > 3 ? TW.Load(b + (3 * w)) : TW.Zero;
                TV av = TW.Broadcast(a[0]);
                c00 = TW.MultiplyAdd(av, b0, c00);
                if (v > 1) c01 = TW.MultiplyAdd(av, b1, c01);
                if (v > 2) c02 = TW.MultiplyAdd(av, b2, c02);
                if (v > 3) c03 = TW.MultiplyAdd(av, b3, c03);
                if (r > 1)
                {
                    av = TW.Broadcast(a[1]);
                    c10 = TW.MultiplyAdd(av, b0, c10);
                    if (v > 1) c11 = TW.MultiplyAdd(av, b1, c11);
                    if (v > 2) c12 = TW.MultiplyAdd(av, b2, c12);
                    if (v > 3) c13 = TW.MultiplyAdd(av, b3, c13);
                }

                if (r > 2)
                {
                    av = TW.Broadcast(a[2]);
                    c20 = TW.MultiplyAdd(av, b0, c20);
                    if (v > 1) c21 = TW.MultiplyAdd(av, b1, c21);
                    if (v > 2) c22 = TW.MultiplyAdd(av, b2, c22);
                    if (v > 3) c23 = TW.MultiplyAdd(av, b3, c23);
                }

                if (r > 3)
                {
                    av = TW.Broadcast(a[3]);
                    c30 = TW.MultiplyAdd(av, b0, c30);
                    if (v > 1) c31 = TW.MultiplyAdd(av, b1, c31);
                    if (v > 2) c32 = TW.MultiplyAdd(av, b2, c32);
                    if (v > 3) c33 = TW.MultiplyAdd(av, b3, c33);
                }

                if (r > 4)
                {
                    av = TW.Broadcast(a[4]);
                    c40 = TW.MultiplyAdd(av, b0, c40);
                    if (v > 1) c41 = TW.MultiplyAdd(av, b1, c41);
                    if (v > 2) c42 = TW.MultiplyAdd(av, b2, c42);
                    if (v > 3) c43 = TW.MultiplyAdd(av, b3, c43);
                }

                if (r > 5)
                {
                    av = TW.Broadcast(a[5]);
                    c50 = TW.MultiplyAdd(av, b0, c50);
                    if (v > 1) c51 = TW.MultiplyAdd(av, b1, c51);
                    if (v > 2) c52 = TW.MultiplyAdd(av, b2, c52);
                    if (v > 3) c53 = TW.MultiplyAdd(av, b3, c53);
                }

                a += lda;
                b += ldb;
            }
        }

        float* q = c;
        TW.Store(c00, q);
        if (v > 1) TW.Store(c01, q + w);
        if (v > 2) TW.Store(c02, q + (2 * w));
        if (v > 3) TW.Store(c03, q + (3 * w));
        if (r > 1)
        {
            q += ldc;
            TW.Store(c10, q);
            if (v > 1) TW.Store(c11, q + w);
            if (v > 2) TW.Store(c12, q + (2 * w));
            if (v > 3) TW.Store(c13, q + (3 * w));
        }

        if (r > 2)
        {
            q += ldc;
            TW.Store(c20, q);
            if (v > 1) TW.Store(c21, q + w);
            if (v > 2) TW.Store(c22, q + (2 * w));
            if (v > 3) TW.Store(c23, q + (3 * w));
        }

        if (r > 3)
        {
            q += ldc;
            TW.Store(c30, q);
            if (v > 1) TW.Store(c31, q + w);
            if (v > 2) TW.Store(c32, q + (2 * w));
            if (v > 3) TW.Store(c33, q + (3 * w));
        }

        if (r > 4)
        {
            q += ldc;
            TW.Store(c40, q);
            if (v > 1) TW.Store(c41, q + w);
            if (v > 2) TW.Store(c42, q + (2 * w));
            if (v > 3) TW.Store(c43, q + (3 * w));
        }

        if (r > 5)
        {
            q += ldc;
            TW.Store(c50, q);
            if (v > 1) TW.Store(c51, q + w);
            if (v > 2) TW.Store(c52, q + (2 * w));
            if (v > 3) TW.Store(c53, q + (3 * w));
        }
    }
}
