// Small Vector512 helpers shared by the CPU kernels (reductions with a fixed summation order, scaled copies).
// Vector512 falls back to two Vector256 halves or scalar code where the hardware lacks AVX-512.
namespace Dcgan.Backends.Cpu;

using System.Runtime.Intrinsics;

/// <summary>Deterministic vector reductions and row operations on raw float pointers.</summary>
internal static unsafe class Simd
{
    /// <summary>Σ a[i]·b[i] for i &lt; n, in a fixed order (four 16-lane partial sums, then the tail).</summary>
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

    /// <summary>dst[j] += Σ_i w[i]·x[i·ldx + j] for j &lt; width (each column summed over i in order, then added).</summary>
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
}
