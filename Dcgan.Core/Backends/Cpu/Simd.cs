// Small Vector512 helpers shared by the CPU kernels (reductions with a fixed summation order, scaled copies).
// Vector512 falls back to two Vector256 halves or scalar code where the hardware lacks AVX-512.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

/// <summary>Deterministic vector reductions and row operations on raw float pointers.</summary>
internal static unsafe class Simd
{
    /// <summary>Σ a[i]·b[i] for i &lt; n, in a fixed order (four 16-lane partial sums, then the tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Dot(float* a, float* b, int n)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i + 64 <= n; i += 64)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 16), Vector512.Load(b + i + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 32), Vector512.Load(b + i + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 48), Vector512.Load(b + i + 48), s3);
        }

        for (; i + 16 <= n; i += 16)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), s0);
        }

        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        }

        return sum;
    }

    /// <summary>Σ a[i] for i &lt; n, in a fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Sum(float* a, int n)
    {
        Vector512<float> s0 = default, s1 = default;
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            s0 += Vector512.Load(a + i);
            s1 += Vector512.Load(a + i + 16);
        }

        for (; i + 16 <= n; i += 16)
        {
            s0 += Vector512.Load(a + i);
        }

        float sum = Vector512.Sum(s0 + s1);
        for (; i < n; i++)
        {
            sum += a[i];
        }

        return sum;
    }

    /// <summary>dst[i] = s·src[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(float* src, float s, float* dst, int n)
    {
        var v = Vector512.Create(s);
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector512.Store(Vector512.Load(src + i) * v, dst + i);
        }

        for (; i < n; i++)
        {
            dst[i] = s * src[i];
        }
    }

    /// <summary>r[i] = a[i]·b[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(float* a, float* b, float* r, int n)
    {
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector512.Store(Vector512.Load(a + i) * Vector512.Load(b + i), r + i);
        }

        for (; i < n; i++)
        {
            r[i] = a[i] * b[i];
        }
    }

    /// <summary>r[i] = a[i] + b[i] for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Add(float* a, float* b, float* r, int n)
    {
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector512.Store(Vector512.Load(a + i) + Vector512.Load(b + i), r + i);
        }

        for (; i < n; i++)
        {
            r[i] = a[i] + b[i];
        }
    }

    /// <summary>a[i] += s for i &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddScalar(float* a, float s, int n)
    {
        var v = Vector512.Create(s);
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector512.Store(Vector512.Load(a + i) + v, a + i);
        }

        for (; i < n; i++)
        {
            a[i] += s;
        }
    }

    /// <summary>dst[j] += Σ_i w[i]·x[i·ldx + j] for j &lt; width (each column summed over i in order, then added).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSumsAdd(float* w, float* x, long ldx, int rows, int width, float* dst)
    {
        int j = 0;
        for (; j + 16 <= width; j += 16)
        {
            Vector512<float> acc = default;
            for (int i = 0; i < rows; i++)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.Create(w[i]), Vector512.Load(x + (i * ldx) + j), acc);
            }

            Vector512.Store(Vector512.Load(dst + j) + acc, dst + j);
        }

        for (; j < width; j++)
        {
            float acc = 0f;
            for (int i = 0; i < rows; i++)
            {
                acc = MathF.FusedMultiplyAdd(w[i], x[(i * ldx) + j], acc);
            }

            dst[j] += acc;
        }
    }

    /// <summary>
    /// Transposes a 16×16 block: dst[j·ds + i] = src[i·ss + j] (strides in floats), with the usual three-stage
    /// unpack / shuffle / 128-bit-lane shuffle network. Needs AVX-512F.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Transpose16(float* src, nint ss, float* dst, nint ds)
    {
        Vector512<float> r0 = Vector512.Load(src); Vector512<float> r1 = Vector512.Load(src + ss); Vector512<float> r2 = Vector512.Load(src + 2 * ss); Vector512<float> r3 = Vector512.Load(src + 3 * ss);
        Vector512<float> r4 = Vector512.Load(src + 4 * ss); Vector512<float> r5 = Vector512.Load(src + 5 * ss); Vector512<float> r6 = Vector512.Load(src + 6 * ss); Vector512<float> r7 = Vector512.Load(src + 7 * ss);
        Vector512<float> r8 = Vector512.Load(src + 8 * ss); Vector512<float> r9 = Vector512.Load(src + 9 * ss); Vector512<float> r10 = Vector512.Load(src + 10 * ss); Vector512<float> r11 = Vector512.Load(src + 11 * ss);
        Vector512<float> r12 = Vector512.Load(src + 12 * ss); Vector512<float> r13 = Vector512.Load(src + 13 * ss); Vector512<float> r14 = Vector512.Load(src + 14 * ss); Vector512<float> r15 = Vector512.Load(src + 15 * ss);
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1); Vector512<float> t1 = Avx512F.UnpackHigh(r0, r1);
        Vector512<float> t2 = Avx512F.UnpackLow(r2, r3); Vector512<float> t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5); Vector512<float> t5 = Avx512F.UnpackHigh(r4, r5);
        Vector512<float> t6 = Avx512F.UnpackLow(r6, r7); Vector512<float> t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9); Vector512<float> t9 = Avx512F.UnpackHigh(r8, r9);
        Vector512<float> t10 = Avx512F.UnpackLow(r10, r11); Vector512<float> t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13); Vector512<float> t13 = Avx512F.UnpackHigh(r12, r13);
        Vector512<float> t14 = Avx512F.UnpackLow(r14, r15); Vector512<float> t15 = Avx512F.UnpackHigh(r14, r15);
        Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44); Vector512<float> u1 = Avx512F.Shuffle(t0, t2, 0xEE); Vector512<float> u2 = Avx512F.Shuffle(t1, t3, 0x44); Vector512<float> u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44); Vector512<float> u5 = Avx512F.Shuffle(t4, t6, 0xEE); Vector512<float> u6 = Avx512F.Shuffle(t5, t7, 0x44); Vector512<float> u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44); Vector512<float> u9 = Avx512F.Shuffle(t8, t10, 0xEE); Vector512<float> u10 = Avx512F.Shuffle(t9, t11, 0x44); Vector512<float> u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44); Vector512<float> u13 = Avx512F.Shuffle(t12, t14, 0xEE); Vector512<float> u14 = Avx512F.Shuffle(t13, t15, 0x44); Vector512<float> u15 = Avx512F.Shuffle(t13, t15, 0xEE);
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88); Vector512<float> v1 = Avx512F.Shuffle4x128(u1, u5, 0x88); Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88); Vector512<float> v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
        Vector512<float> v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD); Vector512<float> v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD); Vector512<float> v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD); Vector512<float> v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88); Vector512<float> v9 = Avx512F.Shuffle4x128(u9, u13, 0x88); Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88); Vector512<float> v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        Vector512<float> v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD); Vector512<float> v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD); Vector512<float> v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD); Vector512<float> v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        Vector512.Store(Avx512F.Shuffle4x128(v0, v8, 0x88), dst);
        Vector512.Store(Avx512F.Shuffle4x128(v1, v9, 0x88), dst + ds);
        Vector512.Store(Avx512F.Shuffle4x128(v2, v10, 0x88), dst + 2 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v3, v11, 0x88), dst + 3 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v4, v12, 0x88), dst + 4 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v5, v13, 0x88), dst + 5 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v6, v14, 0x88), dst + 6 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v7, v15, 0x88), dst + 7 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v0, v8, 0xDD), dst + 8 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v1, v9, 0xDD), dst + 9 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v2, v10, 0xDD), dst + 10 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v3, v11, 0xDD), dst + 11 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v4, v12, 0xDD), dst + 12 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v5, v13, 0xDD), dst + 13 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v6, v14, 0xDD), dst + 14 * ds);
        Vector512.Store(Avx512F.Shuffle4x128(v7, v15, 0xDD), dst + 15 * ds);
    }
}
