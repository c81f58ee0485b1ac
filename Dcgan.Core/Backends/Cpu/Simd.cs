// Small row kernels shared by the CPU kernels (reductions with a fixed summation order, scaled copies, 16×16
// transposes), written once, generic over the vector width (Widths.cs), with the tail in the same expression.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;

/// <summary>Deterministic vector reductions and row operations on raw float pointers, at width <c>TW</c>.</summary>
internal static unsafe class Simd
{
    /// <summary>Σ a[i]·b[i] for i &lt; n, in a fixed order (four register-wide partial sums, then the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot<TW, TV>(float* a, float* b, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        TV s0 = TW.Zero, s1 = TW.Zero, s2 = TW.Zero, s3 = TW.Zero;
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            s0 = TW.MultiplyAdd(TW.Load(a + i), TW.Load(b + i), s0);
            s1 = TW.MultiplyAdd(TW.Load(a + i + w), TW.Load(b + i + w), s1);
            s2 = TW.MultiplyAdd(TW.Load(a + i + (2 * w)), TW.Load(b + i + (2 * w)), s2);
            s3 = TW.MultiplyAdd(TW.Load(a + i + (3 * w)), TW.Load(b + i + (3 * w)), s3);
        }

        for (; i + w <= n; i += w)
        {
            s0 = TW.MultiplyAdd(TW.Load(a + i), TW.Load(b + i), s0);
        }

        float sum = TW.Sum(TW.Add(TW.Add(s0, s1), TW.Add(s2, s3)));
        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        }

        return sum;
    }

    /// <summary>Σ a[i] for i &lt; n, in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum<TW, TV>(float* a, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        TV s0 = TW.Zero, s1 = TW.Zero;
        for (; i + (2 * w) <= n; i += 2 * w)
        {
            s0 = TW.Add(s0, TW.Load(a + i));
            s1 = TW.Add(s1, TW.Load(a + i + w));
        }

        for (; i + w <= n; i += w)
        {
            s0 = TW.Add(s0, TW.Load(a + i));
        }

        float sum = TW.Sum(TW.Add(s0, s1));
        for (; i < n; i++)
        {
            sum += a[i];
        }

        return sum;
    }

    /// <summary>Σ (a[i] − mu)² for i &lt; n, in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float SquaredDeviations<TW, TV>(float* a, int n, float mu)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        TV acc = TW.Zero, vmu = TW.Broadcast(mu);
        for (; i + w <= n; i += w)
        {
            TV d = TW.Subtract(TW.Load(a + i), vmu);
            acc = TW.Add(acc, TW.Multiply(d, d));
        }

        float sum = TW.Sum(acc);
        for (; i < n; i++)
        {
            float d = a[i] - mu;
            sum += d * d;
        }

        return sum;
    }

    /// <summary>dst[i] = s·src[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale<TW, TV>(float* src, float s, float* dst, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        TV v = TW.Broadcast(s);
        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Multiply(TW.Load(src + i), v), dst + i);
        }

        for (; i < n; i++)
        {
            dst[i] = s * src[i];
        }
    }

    /// <summary>r[i] = a[i] + b[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add<TW, TV>(float* a, float* b, float* r, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Add(TW.Load(a + i), TW.Load(b + i)), r + i);
        }

        for (; i < n; i++)
        {
            r[i] = a[i] + b[i];
        }
    }

    /// <summary>a[i] += s for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScalar<TW, TV>(float* a, float s, int n)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count, i = 0;
        TV v = TW.Broadcast(s);
        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Add(TW.Load(a + i), v), a + i);
        }

        for (; i < n; i++)
        {
            a[i] += s;
        }
    }

    /// <summary>dst[j] += Σ_i w[i]·x[i·ldx + j] for j &lt; columns (each column summed over i in order, then added).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSumsAdd<TW, TV>(float* w, float* x, long ldx, int rows, int columns, float* dst)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int lanes = TW.Count, j = 0;
        for (; j + lanes <= columns; j += lanes)
        {
            TV acc = TW.Zero;
            for (int i = 0; i < rows; i++)
            {
                acc = TW.MultiplyAdd(TW.Broadcast(w[i]), TW.Load(x + (i * ldx) + j), acc);
            }

            TW.Store(TW.Add(TW.Load(dst + j), acc), dst + j);
        }

        for (; j < columns; j++)
        {
            float acc = 0f;
            for (int i = 0; i < rows; i++)
            {
                acc = MathF.FusedMultiplyAdd(w[i], x[(i * ldx) + j], acc);
            }

            dst[j] += acc;
        }
    }

    /// <summary>Transposes a 16×16 block: dst[j·ds + i] = src[i·ss + j] (strides in floats), as Count×Count register blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose16<TW, TV>(float* src, nint ss, float* dst, nint ds)
        where TW : struct, IWidth<TV>
        where TV : struct
    {
        int w = TW.Count;
        if (w == 1)
        {
            for (int i = 0; i < 16; i++)
            {
                for (int j = 0; j < 16; j++)
                {
                    dst[(j * ds) + i] = src[(i * ss) + j];
                }
            }

            return;
        }

        for (int i = 0; i < 16; i += w)
        {
            for (int j = 0; j < 16; j += w)
            {
                TW.Transpose(src + (i * ss) + j, ss, dst + (j * ds) + i, ds);
            }
        }
    }
}

/// <summary>Width dispatch for callers that are not themselves generic over the width.</summary>
internal static unsafe class SimdAt
{
    /// <summary><see cref="Simd.Add{TW, TV}"/> at <paramref name="width"/>.</summary>
    public static void Add(SimdWidth width, float* a, float* b, float* r, int n)
    {
        switch (width)
        {
            case SimdWidth.V512:
                Simd.Add<W512, System.Runtime.Intrinsics.Vector512<float>>(a, b, r, n);
                break;
            case SimdWidth.V256:
                Simd.Add<W256, System.Runtime.Intrinsics.Vector256<float>>(a, b, r, n);
                break;
            case SimdWidth.V128:
                Simd.Add<W128, System.Runtime.Intrinsics.Vector128<float>>(a, b, r, n);
                break;
            default:
                Simd.Add<W1, float>(a, b, r, n);
                break;
        }
    }

    /// <summary><see cref="Simd.Transpose16{TW, TV}"/> at <paramref name="width"/>.</summary>
    public static void Transpose16(SimdWidth width, float* src, nint ss, float* dst, nint ds)
    {
        switch (width)
        {
            case SimdWidth.V512:
                Simd.Transpose16<W512, System.Runtime.Intrinsics.Vector512<float>>(src, ss, dst, ds);
                break;
            case SimdWidth.V256:
                Simd.Transpose16<W256, System.Runtime.Intrinsics.Vector256<float>>(src, ss, dst, ds);
                break;
            case SimdWidth.V128:
                Simd.Transpose16<W128, System.Runtime.Intrinsics.Vector128<float>>(src, ss, dst, ds);
                break;
            default:
                Simd.Transpose16<W1, float>(src, ss, dst, ds);
                break;
        }
    }
}

/// <summary>
/// A job whose chunks run generic over the vector width: <see cref="Execute(int, int)"/> picks the width's
/// specialisation once per chunk, so the kernel body is written once.
/// </summary>
internal abstract class WidthJob : ChunkJob
{
    /// <summary>Creates the job for one width.</summary>
    protected WidthJob(SimdWidth width) => Width = width;

    /// <summary>The width the chunks compute with.</summary>
    public SimdWidth Width { get; }

    /// <inheritdoc/>
    public sealed override void Execute(int chunk, int worker)
    {
        switch (Width)
        {
            case SimdWidth.V512:
                Execute<W512, System.Runtime.Intrinsics.Vector512<float>>(chunk, worker);
                break;
            case SimdWidth.V256:
                Execute<W256, System.Runtime.Intrinsics.Vector256<float>>(chunk, worker);
                break;
            case SimdWidth.V128:
                Execute<W128, System.Runtime.Intrinsics.Vector128<float>>(chunk, worker);
                break;
            default:
                Execute<W1, float>(chunk, worker);
                break;
        }
    }

    /// <summary>Runs chunk <paramref name="chunk"/> at width <typeparamref name="TW"/>.</summary>
    protected abstract void Execute<TW, TV>(int chunk, int worker)
        where TW : struct, IWidth<TV>
        where TV : struct;
}
