// Float functions for kernels that avoid ILGPU's PTX approximations where they are too coarse:
// MathF.Tanh becomes tanh.approx.f32 (relative error up to 2^-11) on sm_75+, so tanh is built here
// from exp (ex2.approx-based on PTX, about 2^-22 relative) and, near zero, from its Taylor series;
// MathF.Log becomes lg2.approx.f32 (absolute error 2^-22), so log on [1, 2] uses the atanh series.
namespace Dcgan.Gpu.Kernels;

/// <summary>Scalar math usable inside ILGPU kernels, within about 1e-6 relative of the exact function.</summary>
internal static class DeviceMath
{
    // Taylor coefficients of tanh x = x + c3·x³ + c5·x⁵ + …: (−1)^(k+1)·2^(2k)(2^(2k) − 1)·B_2k / (2k)!.
    private const float C3 = -1f / 3f;
    private const float C5 = 2f / 15f;
    private const float C7 = -17f / 315f;
    private const float C9 = 62f / 2835f;
    private const float C11 = -1382f / 155925f;
    private const float C13 = 21844f / 6081075f;
    private const float C15 = -929569f / 638512875f;

    /// <summary>
    /// tanh(x): x itself for |x| &lt; 3e-4, the series up to x¹⁵ for |x| &lt; 0.4 (truncation below 1e-8 relative), else
    /// sign(x)·(1 − 2 / (e^(2|x|) + 1)), which has no cancellation there. NaN stays NaN, ±0 keeps its sign.
    /// </summary>
    public static float Tanh(float x)
    {
        float a = MathF.Abs(x);
        if (a < 3e-4f)
        {
            // tanh x = x·(1 − x²/3 + …) rounds to x here; returning x also keeps the sign of −0.
            return x;
        }

        if (a < 0.4f)
        {
            float z = x * x;
            float p = C13 + (z * C15);
            p = C11 + (z * p);
            p = C9 + (z * p);
            p = C7 + (z * p);
            p = C5 + (z * p);
            p = C3 + (z * p);
            return x + (x * (z * p));
        }

        // For a > 44, exp overflows to +inf and 2 / inf = 0, so the result is exactly ±1.
        float t = 1f - (2f / (MathF.Exp(2f * a) + 1f));
        return x < 0f ? -t : (x > 0f ? t : x);
    }

    /// <summary>
    /// ln(w) for w in [1, 2] (NaN stays NaN): 2·atanh(s) = 2(s + s³/3 + … + s¹⁷/17) with s = (w − 1)/(w + 1) ≤ 1/3,
    /// truncated below 1e-9 relative; only rounded float operations, so a few ulps relative on every device.
    /// </summary>
    public static float LogOneToTwo(float w)
    {
        float s = (w - 1f) / (w + 1f);
        float z = s * s;
        float p = (1f / 15f) + (z * (1f / 17f));
        p = (1f / 13f) + (z * p);
        p = (1f / 11f) + (z * p);
        p = (1f / 9f) + (z * p);
        p = (1f / 7f) + (z * p);
        p = (1f / 5f) + (z * p);
        p = (1f / 3f) + (z * p);
        p = 1f + (z * p);
        return 2f * s * p;
    }

    /// <summary>
    /// ln(w) for w ≥ 1 (NaN stays NaN, +∞ stays +∞): w is halved exactly k times into [1, 2), then ln w = k·ln 2 +
    /// <see cref="LogOneToTwo"/>; used for a log-sum-exp, whose sum lies in [1, C].
    /// </summary>
    public static float LogAtLeastOne(float w)
    {
        if (w == float.PositiveInfinity)
        {
            return w;
        }

        int k = 0;
        while (w >= 2f)
        {
            w *= 0.5f;
            k++;
        }

        return (k * 0.693147181f) + LogOneToTwo(w);
    }

    /// <summary>The logistic function, evaluated without overflow on either side (as the CPU reference).</summary>
    public static float Sigmoid(float v)
    {
        if (v >= 0f)
        {
            return 1f / (1f + MathF.Exp(-v));
        }

        float e = MathF.Exp(v);
        return e / (1f + e);
    }
}
