// CpuBackend's SIMD elementwise kernels at every length 0..64 (every vector remainder for widths up to 512 bits)
// and two long odd lengths, against the scalar float32 loops (bit for bit) and the float64 backend (tolerance).
namespace Dcgan.Tests.Backends;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

public sealed class ElementwiseLengthTests
{
    private static readonly Activation[] Activations =
    [
        new(ActivationKind.ReLU),
        new(ActivationKind.LeakyReLU, 0.2f),
        new(ActivationKind.Tanh),
        new(ActivationKind.Sigmoid),
    ];

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 64; n++)
        {
            data.Add(n);
        }

        data.Add(1000);
        data.Add(4099);
        return data;
    }

    /// <summary>Uniform values in [−20, 20] with +0 and −0 sprinkled in.</summary>
    private static float[] Inputs(int length, ulong seed)
    {
        var random = new RandomSource(seed);
        var values = new float[length];
        random.FillUniform(values, -20, 20);
        for (int i = 0; i < length; i++)
        {
            if (i % 7 == 3)
            {
                values[i] = 0f;
            }
            else if (i % 11 == 5)
            {
                values[i] = -0f;
            }
        }

        return values;
    }

    private static Tensor Upload(IBackend backend, float[] values)
    {
        Tensor t = backend.Allocate(new TensorShape(values.Length));
        t.CopyFrom(values);
        return t;
    }

    private static void AssertBitEqual(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: first difference at [{i}] of {expected.Length}: expected {expected[i]:R}, got {actual[i]:R}.");
            }
        }
    }

    private static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Activation_forward_matches_the_references(int length)
    {
        using var cpu = new CpuBackend(threads: 1);
        using var scalar = new ReferenceBackend(threads: 1);
        using var exact = new Float64Backend(threads: 1);
        float[] x = Inputs(length, (ulong)length);

        foreach (Activation f in Activations)
        {
            float[] fast = Run(cpu, f), reference = Run(scalar, f), precise = Run(exact, f);
            if (f.Kind is ActivationKind.ReLU or ActivationKind.LeakyReLU)
            {
                AssertBitEqual($"{f} forward, length {length}", reference, fast);
                AssertBitEqual($"{f} forward vs float64, length {length}", precise, fast);
            }
            else
            {
                // TensorPrimitives' tanh and sigmoid are within a few ulps of the correctly rounded value.
                Compare.Close($"{f} forward, length {length}", ToDouble(precise), fast, 1e-6, 1e-30);
            }
        }

        float[] Run(IBackend backend, Activation f)
        {
            using Tensor input = Upload(backend, x);
            using Tensor output = backend.Allocate(input.Shape);
            backend.ActivationForward(f, input, output);
            return output.ToArray();
        }
    }

    [Theory]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Sigmoid)]
    public void Tanh_and_sigmoid_are_accurate_from_tiny_to_saturated_inputs(ActivationKind kind)
    {
        // Magnitudes 1e-40 (subnormal) .. 1e4 on a log scale, both signs, plus ±0, ±∞, NaN and the
        // neighbourhood of tanh's polynomial/exponential switch at 0.55.
        var values = new List<float> { 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.55f, -0.55f, 0.5499999f, 0.5500001f, float.Epsilon, float.MaxValue };
        for (int i = 0; i <= 4000; i++)
        {
            float magnitude = (float)Math.Pow(10, -40 + (i * 0.011));
            values.Add(magnitude);
            values.Add(-magnitude);
        }

        var random = new RandomSource(77);
        for (int i = 0; i < 2000; i++)
        {
            values.Add((float)random.Uniform(-1, 1));
        }

        float[] x = [.. values];
        var activation = new Activation(kind);
        using var cpu = new CpuBackend(threads: 1);
        using var exact = new Float64Backend(threads: 1);
        float[] Run(IBackend backend)
        {
            using Tensor input = Upload(backend, x);
            using Tensor output = backend.Allocate(input.Shape);
            backend.ActivationForward(activation, input, output);
            return output.ToArray();
        }

        float[] fast = Run(cpu);
        double[] reference = ToDouble(Run(exact));
        double worst = Compare.Close($"{kind} over a wide range", reference, fast, 1e-6, 1e-38);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: worst relative error {worst:E3}");
        if (kind == ActivationKind.Tanh)
        {
            // tanh is odd: tanh(−x) has the bits of tanh(x) with the sign flipped, so ±0 map to ±0.
            float[] xNegated = Array.ConvertAll(x, v => -v);
            using Tensor input = Upload(cpu, xNegated);
            using Tensor output = cpu.Allocate(input.Shape);
            cpu.ActivationForward(activation, input, output);
            float[] negated = output.ToArray();
            for (int i = 0; i < x.Length; i++)
            {
                if (!float.IsNaN(x[i]) && BitConverter.SingleToInt32Bits(fast[i]) != BitConverter.SingleToInt32Bits(-negated[i]))
                {
                    Assert.Fail($"tanh({x[i]:R}) = {fast[i]:R} but tanh({-x[i]:R}) = {negated[i]:R}.");
                }
            }

            Assert.True(BitConverter.SingleToInt32Bits(fast[1]) == BitConverter.SingleToInt32Bits(-0f), $"tanh(−0) = {fast[1]:R}; expected −0.");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Activation_backward_matches_the_references(int length)
    {
        using var cpu = new CpuBackend(threads: 1);
        using var scalar = new ReferenceBackend(threads: 1);
        using var exact = new Float64Backend(threads: 1);
        float[] x = Inputs(length, (ulong)length);
        float[] dy = Inputs(length, 1000 + (ulong)length);

        foreach (Activation f in Activations)
        {
            // Every backend gets the same float32 forward output, so only the backward formula is compared.
            float[] y;
            using (Tensor input = Upload(scalar, x))
            using (Tensor output = scalar.Allocate(input.Shape))
            {
                scalar.ActivationForward(f, input, output);
                y = output.ToArray();
            }

            float[] fast = Run(cpu, f, y), reference = Run(scalar, f, y), precise = Run(exact, f, y);
            AssertBitEqual($"{f} backward, length {length}", reference, fast);

            // In float64 the same formula differs by rounding only: |dy| ≤ 20, so a few ulps of 20 at most.
            Compare.Close($"{f} backward vs float64, length {length}", ToDouble(precise), fast, 1e-6, 1e-5);
        }

        float[] Run(IBackend backend, Activation f, float[] y)
        {
            using Tensor input = Upload(backend, x), output = Upload(backend, y), gradOutput = Upload(backend, dy);
            using Tensor gradInput = backend.Allocate(input.Shape);
            backend.ActivationBackward(f, input, output, gradOutput, gradInput);
            return gradInput.ToArray();
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Multiply_matches_the_references(int length)
    {
        using var cpu = new CpuBackend(threads: 1);
        using var scalar = new ReferenceBackend(threads: 1);
        using var exact = new Float64Backend(threads: 1);
        float[] a = Inputs(length, 2000 + (ulong)length), b = Inputs(length, 3000 + (ulong)length);

        float[] Run(IBackend backend)
        {
            using Tensor ta = Upload(backend, a), tb = Upload(backend, b);
            using Tensor result = backend.Allocate(ta.Shape);
            backend.Multiply(ta, tb, result);
            return result.ToArray();
        }

        float[] fast = Run(cpu);
        AssertBitEqual($"Multiply, length {length}", Run(scalar), fast);

        // The product of two floats is exact in float64, so rounding it to float32 gives the float32 product.
        AssertBitEqual($"Multiply vs float64, length {length}", Run(exact), fast);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DropoutForward_matches_the_references(int length)
    {
        using var cpu = new CpuBackend(threads: 1);
        using var scalar = new ReferenceBackend(threads: 1);
        using var exact = new Float64Backend(threads: 1);
        float[] x = Inputs(length, 4000 + (ulong)length);
        const float p = 0.3f;
        const ulong seed = 0xDCA9;

        (float[] Mask, float[] Output) Run(IBackend backend)
        {
            using Tensor input = Upload(backend, x);
            using Tensor mask = backend.Allocate(input.Shape), output = backend.Allocate(input.Shape);
            backend.DropoutForward(input, p, seed, mask, output);
            return (mask.ToArray(), output.ToArray());
        }

        (float[] mask, float[] output) = Run(cpu);
        (float[] refMask, float[] refOutput) = Run(scalar);
        (float[] preciseMask, float[] preciseOutput) = Run(exact);
        AssertBitEqual($"Dropout mask, length {length}", refMask, mask);
        AssertBitEqual($"Dropout output, length {length}", refOutput, output);
        Compare.Close($"Dropout mask vs float64, length {length}", ToDouble(preciseMask), mask, 1e-6, 0);
        Compare.Close($"Dropout output vs float64, length {length}", ToDouble(preciseOutput), output, 1e-6, 0);

        float keep = 1f / (1f - p);
        for (int i = 0; i < length; i++)
        {
            bool dropped = DropoutHash.Uniform(seed, (ulong)i) < p;
            Assert.True(mask[i] == (dropped ? 0f : keep), $"mask[{i}] is {mask[i]}; expected {(dropped ? 0f : keep)}.");
        }

        if (length >= 1000)
        {
            // 4099·0.3 ± 5σ (σ ≈ 29): the hash draws uniformly.
            double fraction = mask.Count(m => m == 0f) / (double)length;
            double sigma = Math.Sqrt(p * (1 - p) / length);
            Assert.True(Math.Abs(fraction - p) < 5 * sigma, $"Dropout(0.3) zeroed a fraction {fraction:F4} of {length} values.");
        }
    }
}
