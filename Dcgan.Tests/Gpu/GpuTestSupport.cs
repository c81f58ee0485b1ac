// Helpers for backend-parity tests: the same host data on two backends (at a non-zero offset, so Tensor.Offset
// is exercised), downloads, and comparisons that print the worst error.
namespace Dcgan.Tests.Gpu;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

/// <summary>Owns the tensors a test allocates and frees them at the end.</summary>
public sealed class TensorScope : IDisposable
{
    private readonly List<Tensor> _owners = [];

    /// <summary>A view of <paramref name="shape"/> holding <paramref name="data"/>, at offset <paramref name="offset"/> of a larger buffer filled with 7s.</summary>
    public Tensor Put(IBackend backend, TensorShape shape, ReadOnlySpan<float> data, int offset = 3)
    {
        Tensor owner = backend.Allocate(new TensorShape(offset + shape.ElementCount + 2));
        _owners.Add(owner);
        backend.Fill(owner, 7f);
        Tensor view = owner.Slice(offset, shape);
        view.CopyFrom(data);
        return view;
    }

    /// <summary>A zero-filled view of <paramref name="shape"/> at an offset.</summary>
    public Tensor Zeros(IBackend backend, TensorShape shape, int offset = 3) => Put(backend, shape, new float[shape.ElementCount], offset);

    public void Dispose()
    {
        foreach (Tensor t in _owners)
        {
            t.Dispose();
        }

        _owners.Clear();
    }
}

public static class GpuTestSupport
{
    public static float[] Random(int count, ulong seed, double low = -1, double high = 1)
    {
        var values = new float[count];
        new RandomSource(seed).FillUniform(values, low, high);
        return values;
    }

    public static float[] Normal(int count, ulong seed, double mean = 0, double std = 1)
    {
        var values = new float[count];
        new RandomSource(seed).FillNormal(values, mean, std);
        return values;
    }

    /// <summary>
    /// Asserts |gpu − cpu| ≤ rtol·|cpu| + atol elementwise, with atol = rtol·max|cpu| unless given (the scale of a
    /// sum whose terms cancel); prints the worst relative error.
    /// </summary>
    public static void AssertClose(string what, float[] expected, float[] actual, double rtol = 1e-5, double? atol = null)
    {
        double scale = 0;
        foreach (float e in expected)
        {
            if (float.IsFinite(e))
            {
                scale = Math.Max(scale, Math.Abs(e));
            }
        }

        double a = atol ?? Math.Max(rtol * scale, 1e-30);
        double worst = Compare.Close(what, Array.ConvertAll(expected, v => (double)v), actual, rtol, a);
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: worst relative error {worst:E2} over {expected.Length} values (atol {a:E1})");
    }

    /// <summary>Asserts the same bits everywhere (any NaN matches any NaN).</summary>
    public static void AssertBitwise(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = (float.IsNaN(expected[i]) && float.IsNaN(actual[i]))
                || BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, $"{what}: [{i}] expected {expected[i]:R} (0x{BitConverter.SingleToInt32Bits(expected[i]):X8}) got {actual[i]:R} (0x{BitConverter.SingleToInt32Bits(actual[i]):X8})");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {expected.Length} values bit-identical");
    }
}
