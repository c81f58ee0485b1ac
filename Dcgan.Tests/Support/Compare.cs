// Elementwise comparison that reports the case, the tensor, the first mismatches and the worst error.
namespace Dcgan.Tests.Support;

using System.Globalization;
using System.Text;

public static class Compare
{
    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| everywhere; returns the worst relative error.</summary>
    public static double Close(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rtol, double atol)
    {
        var a = new double[actual.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = actual[i];
        }

        return Close(what, expected, a, rtol, atol);
    }

    public static double Close(string what, ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol, double atol)
    {
        if (expected.Length != actual.Length)
        {
            Assert.Fail($"{what}: expected {expected.Length} values, got {actual.Length}.");
        }

        double worstRel = 0, worstAbs = 0;
        int worstIndex = -1, failures = 0;
        var report = new StringBuilder();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], v = actual[i];
            double err = Math.Abs(v - e);
            bool ok = err <= atol + (rtol * Math.Abs(e)) || (double.IsNaN(e) && double.IsNaN(v)) || (double.IsInfinity(e) && e == v);
            double rel = err / Math.Max(Math.Abs(e), atol / Math.Max(rtol, 1e-30));
            if (double.IsNaN(err) && !ok)
            {
                rel = double.PositiveInfinity;
            }

            if (rel > worstRel || worstIndex < 0)
            {
                worstRel = rel;
                worstAbs = err;
                worstIndex = i;
            }

            if (!ok)
            {
                failures++;
                if (failures <= 5)
                {
                    report.AppendLine(CultureInfo.InvariantCulture, $"  [{i}] expected {e:R} actual {v:R} |err| {err:E3}");
                }
            }
        }

        if (failures > 0)
        {
            Assert.Fail($"{what}: {failures} of {expected.Length} values out of tolerance (rtol {rtol}, atol {atol}); worst at [{worstIndex}] |err| {worstAbs:E3} rel {worstRel:E3}\n{report}");
        }

        return worstRel;
    }
}
