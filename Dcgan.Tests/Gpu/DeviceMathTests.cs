// The kernels' own float functions (DeviceMath) against float64 on dense grids, run as plain host code: the
// formulas must be accurate before any device rounding (PTX's exp adds about 2^-22 relative on a GPU).
namespace Dcgan.Tests.Gpu;

using Dcgan.Gpu.Kernels;

public sealed class DeviceMathTests
{
    [Fact]
    public void Tanh_is_within_a_few_ulps_over_minus_20_to_20()
    {
        double worst = 0;
        float worstAt = 0;
        for (int i = -200_000; i <= 200_000; i++)
        {
            float x = i * 1e-4f;
            double exact = Math.Tanh(x);
            double rel = exact == 0 ? Math.Abs(DeviceMath.Tanh(x)) : Math.Abs(DeviceMath.Tanh(x) - exact) / Math.Abs(exact);
            if (rel > worst)
            {
                (worst, worstAt) = (rel, x);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"tanh: worst relative error {worst:E2} at {worstAt:R}");
        Assert.True(worst < 5e-7, $"tanh worst relative error {worst:E2} at {worstAt:R}");
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(DeviceMath.Tanh(-0f)));
        Assert.True(float.IsNaN(DeviceMath.Tanh(float.NaN)));
        Assert.Equal(1f, DeviceMath.Tanh(float.PositiveInfinity));
        Assert.Equal(-1f, DeviceMath.Tanh(-1e30f));
    }

    [Fact]
    public void LogOneToTwo_is_within_a_few_ulps_on_its_interval()
    {
        double worst = 0;
        float worstAt = 1;
        for (int i = 1; i <= 100_000; i++)
        {
            float w = 1f + (i * 1e-5f);
            double exact = Math.Log(w);
            double rel = Math.Abs(DeviceMath.LogOneToTwo(w) - exact) / exact;
            if (rel > worst)
            {
                (worst, worstAt) = (rel, w);
            }
        }

        float tiny = 1f + 1.1920929e-7f;
        double tinyRel = Math.Abs(DeviceMath.LogOneToTwo(tiny) - Math.Log(tiny)) / Math.Log(tiny);
        TestContext.Current.TestOutputHelper?.WriteLine($"log on [1, 2]: worst relative error {worst:E2} at {worstAt:R}; next float after 1: {tinyRel:E2}");
        Assert.True(worst < 5e-7, $"log worst relative error {worst:E2} at {worstAt:R}");
        Assert.True(tinyRel < 5e-7, $"log(1 + 2^-23) relative error {tinyRel:E2}");
        Assert.Equal(0f, DeviceMath.LogOneToTwo(1f));
        Assert.True(float.IsNaN(DeviceMath.LogOneToTwo(float.NaN)));
    }

    [Fact]
    public void LogAtLeastOne_is_accurate_from_1_to_1e30()
    {
        // Absolute error (ln w ≥ 0 and the log-sum-exp subtracts it from a logit): k·ln 2 rounds to about 1e-7 relative.
        double worst = 0;
        float worstAt = 1;
        for (int i = 0; i <= 20_000; i++)
        {
            float w = MathF.Pow(10f, i * 0.0015f);
            double exact = Math.Log(w);
            double error = Math.Abs(DeviceMath.LogAtLeastOne(w) - exact) / Math.Max(1, exact);
            if (error > worst)
            {
                (worst, worstAt) = (error, w);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"log on [1, 1e30]: worst error (absolute below e, relative above) {worst:E2} at {worstAt:R}");
        Assert.True(worst < 5e-7, $"log worst error {worst:E2} at {worstAt:R}");
        Assert.Equal(0f, DeviceMath.LogAtLeastOne(1f));
        Assert.Equal(float.PositiveInfinity, DeviceMath.LogAtLeastOne(float.PositiveInfinity));
        Assert.True(float.IsNaN(DeviceMath.LogAtLeastOne(float.NaN)));
    }

    [Fact]
    public void Sigmoid_is_accurate_on_both_sides()
    {
        double worst = 0;
        for (int i = -1000; i <= 1000; i++)
        {
            float v = i * 0.09f;
            double exact = 1 / (1 + Math.Exp(-(double)v));
            worst = Math.Max(worst, Math.Abs(DeviceMath.Sigmoid(v) - exact) / exact);
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"sigmoid: worst relative error {worst:E2}");
        Assert.True(worst < 1e-6, $"sigmoid worst relative error {worst:E2}");
        Assert.Equal(0f, DeviceMath.Sigmoid(float.NegativeInfinity));
        Assert.Equal(1f, DeviceMath.Sigmoid(float.PositiveInfinity));
    }
}
