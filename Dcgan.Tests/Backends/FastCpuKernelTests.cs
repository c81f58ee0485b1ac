// The fast CPU kernels (packed GEMM, implicit-GEMM convolutions, vectorised BatchNorm, dropout, Adam) against the
// plain reference loops of HostBackend<float>, on every convolution geometry of the two presets and on odd shapes,
// at every vector width this machine can run (512/256/128-bit and scalar, forced per backend); and bit-identical
// results for 1 and 2 threads.
namespace Dcgan.Tests.Backends;

using System.Globalization;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

public sealed class FastCpuKernelTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly ReferenceBackend _reference = new(2);
    private readonly CpuBackend _fast = new(2);
    private readonly CpuBackend _single = new(1);
    private readonly Dictionary<SimdWidth, CpuBackend> _widths = SimdWidths.Supported.ToDictionary(w => w, w => new CpuBackend(2, w));

    public FastCpuKernelTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine($"widths tested: {string.Join(", ", SimdWidths.Supported)}; default {_fast.Description}");
    }

    /// <summary>
    /// Every convolution of the tf-tutorial and dcgan presets (small batches; the two largest at half their channel
    /// counts, same spatial geometry, so the Debug-build reference loops stay quick), then odd shapes.
    /// </summary>
    public static TheoryData<string, bool, int, int, int, int, int, int, int, int, int> Geometries() => new()
    {
        // name, transposed, batch, in, out, height, width, kernel, stride, padding, output_padding (module terms)
        { "tf G.fc Linear(100, 12544)", false, 3, 100, 12544, 1, 1, 1, 1, 0, 0 },
        { "tf G ConvT(256, 128, 5, 1, 2) at half width", true, 1, 128, 64, 7, 7, 5, 1, 2, 0 },
        { "tf G ConvT(128, 64, 5, 2, 2, 1)", true, 1, 128, 64, 7, 7, 5, 2, 2, 1 },
        { "tf G ConvT(64, 1, 5, 2, 2, 1)", true, 3, 64, 1, 14, 14, 5, 2, 2, 1 },
        { "tf D Conv(1, 64, 5, 2, 2)", false, 3, 1, 64, 28, 28, 5, 2, 2, 0 },
        { "tf D Conv(64, 128, 5, 2, 2)", false, 1, 64, 128, 14, 14, 5, 2, 2, 0 },
        { "tf D Linear(6272, 1)", false, 5, 6272, 1, 1, 1, 1, 1, 0, 0 },
        { "dcgan G ConvT(100, 256, 7)", true, 3, 100, 256, 1, 1, 7, 1, 0, 0 },
        { "dcgan G ConvT(256, 128, 4, 2, 1) at half width", true, 1, 128, 64, 7, 7, 4, 2, 1, 0 },
        { "dcgan G ConvT(128, 1, 4, 2, 1)", true, 3, 128, 1, 14, 14, 4, 2, 1, 0 },
        { "dcgan D Conv(1, 64, 4, 2, 1)", false, 3, 1, 64, 28, 28, 4, 2, 1, 0 },
        { "dcgan D Conv(64, 128, 4, 2, 1)", false, 1, 64, 128, 14, 14, 4, 2, 1, 0 },
        { "dcgan D Conv(128, 1, 7)", false, 3, 128, 1, 7, 7, 7, 1, 0, 0 },
        { "odd Conv(3, 7, 3, 1, 1) 5x9 batch 70", false, 70, 3, 7, 5, 9, 3, 1, 1, 0 },
        { "odd Conv(5, 13, 1) 4x3", false, 4, 5, 13, 4, 3, 1, 1, 0, 0 },
        { "odd Conv(2, 17, 3, 3, 0) 10x11", false, 3, 2, 17, 10, 11, 3, 3, 0, 0 },
        { "odd Conv(33, 65, 2, 2, 1) 6x7", false, 3, 33, 65, 6, 7, 2, 2, 1, 0 },
        { "odd Conv(2, 3, 3, 1, 3) 2x2 (empty pixels)", false, 2, 2, 3, 2, 2, 3, 1, 3, 0 },
        { "odd Conv(3, 10, 5) 5x5 (dense)", false, 4, 3, 10, 5, 5, 5, 1, 0, 0 },
        { "odd Conv(4, 6, 5, 1, 2) 3x3 (kernel > input)", false, 3, 4, 6, 3, 3, 5, 1, 2, 0 },
        { "odd ConvT(7, 5, 4, 3, 2, 2) 5x6", true, 3, 7, 5, 5, 6, 4, 3, 2, 2 },
        { "odd ConvT(17, 9, 3, 2, 0, 1) 4x5 batch 65", true, 65, 17, 9, 4, 5, 3, 2, 0, 1 },
        { "odd Linear(7, 129) batch 67", false, 67, 7, 129, 1, 1, 1, 1, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Convolution_kernels_match_the_reference(string name, bool transposed, int batch, int inChannels, int outChannels,
        int height, int width, int kernel, int stride, int padding, int outputPadding)
    {
        ConvGeometry g = transposed
            ? ConvGeometry.ForConvTranspose2d(batch, inChannels, height, width, outChannels, kernel, stride, padding, outputPadding)
            : ConvGeometry.ForConv2d(batch, inChannels, height, width, outChannels, kernel, stride, padding);
        var random = new RandomSource(17);
        float[] x = Uniform(random, g.InputShape.ElementCount);
        float[] w = Uniform(random, g.WeightShape.ElementCount, 0.2);
        float[] dy = Uniform(random, g.OutputShape.ElementCount);
        float[] dw0 = Uniform(random, g.WeightShape.ElementCount, 0.1);

        float[] yRef = Forward(_reference, g, x, w), dxRef = BackwardInput(_reference, g, dy, w), dwRef = BackwardWeight(_reference, g, x, dy, dw0);
        double worst = 0;
        float[]? firstForward = null;
        foreach ((SimdWidth simd, CpuBackend backend) in _widths)
        {
            if (simd == SimdWidth.Scalar && g.MultiplyAdds > 5_000_000)
            {
                continue; // The scalar kernel is slow: the smaller geometries cover it.
            }

            float[] y = Forward(backend, g, x, w);
            worst = Math.Max(worst, Check($"{name} forward ({simd})", yRef, y));
            worst = Math.Max(worst, Check($"{name} backward-input ({simd})", dxRef, BackwardInput(backend, g, dy, w)));
            worst = Math.Max(worst, Check($"{name} backward-weight ({simd})", dwRef, BackwardWeight(backend, g, x, dy, dw0)));

            // Every output element is one chain of FMAs in a fixed order, whatever the register width; only the dot
            // products of one-output dense layers (GEMV) sum register-wide partials, so their rounding follows the width.
            firstForward ??= y;
            bool gemv = g.OutChannels == 1 && g.OutHeight == 1 && g.OutWidth == 1 && g.Padding == 0 && g.KernelSize == g.InHeight && g.KernelSize == g.InWidth;
            if (HasFusedMultiplyAdd && !gemv)
            {
                Assert.Equal(firstForward, y);
            }
        }

        Assert.Equal(SimdWidths.Best, _fast.Width);
        Assert.Equal(Forward(_fast, g, x, w), Forward(_single, g, x, w));
        Assert.Equal(BackwardInput(_fast, g, dy, w), BackwardInput(_single, g, dy, w));
        Assert.Equal(BackwardWeight(_fast, g, x, dy, dw0), BackwardWeight(_single, g, x, dy, dw0));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: worst relative error {worst:E2}; 1 and 2 threads bit-identical"));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 17, 33)]
    [InlineData(65, 129, 7)]
    [InlineData(17, 1, 300)]
    [InlineData(129, 65, 257)]
    [InlineData(100, 130, 300)]
    [InlineData(12, 200, 40)] // shared A, a partial last panel
    [InlineData(5, 700, 300)] // shared A over two K slices
    [InlineData(128, 100, 2100)] // split K, computed as Cᵀ, a short last run
    [InlineData(30, 70, 2048)] // split K, computed as C
    [InlineData(3, 5, 70000)] // split K in 64 runs longer than 1,024
    public void Gemm_matches_a_naive_product(int m, int n, int k)
    {
        var random = new RandomSource((ulong)((m * 1000) + n));
        float[] a = Uniform(random, m * k), b = Uniform(random, k * n), c0 = Uniform(random, m * n);
        double worst = 0;
        foreach (bool transA in new[] { false, true })
        {
            foreach (bool transB in new[] { false, true })
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    var expected = new double[m * n];
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < n; j++)
                        {
                            double sum = accumulate ? c0[(i * n) + j] : 0;
                            for (int p = 0; p < k; p++)
                            {
                                sum += (double)a[(i * k) + p] * b[(p * n) + j];
                            }

                            expected[(i * n) + j] = sum;
                        }
                    }

                    // The same matrices stored transposed: A as [K, M], B as [N, K].
                    float[] aStored = transA ? Transpose(a, m, k) : a, bStored = transB ? Transpose(b, k, n) : b;
                    foreach (SimdWidth width in SimdWidths.Supported)
                    {
                        float[]? oneThread = null;
                        foreach (int threads in new[] { 1, 2, 3 })
                        {
                            float[] c = (float[])c0.Clone();
                            RunGemm(threads, width, m, n, k, aStored, transA, bStored, transB, c, accumulate);
                            worst = Math.Max(worst, Compare.Close($"gemm {m}x{n}x{k} transA={transA} transB={transB} accumulate={accumulate} width={width} threads={threads}", expected, c, 1e-4, 1e-4));

                            // The schedule follows the shape alone: any thread count gives the same bits.
                            oneThread ??= c;
                            Assert.Equal(oneThread, c);
                        }
                    }
                }
            }
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"gemm {m}x{n}x{k}: worst relative error {worst:E2}"));
    }

    [Theory]
    [InlineData(2, 300, 1, 1e-5f, true)]
    [InlineData(33, 12544, 1, 1e-3f, true)]
    [InlineData(5, 64, 196, 1e-5f, true)]
    [InlineData(4, 7, 49, 1e-3f, true)]
    [InlineData(6, 19, 1, 1e-5f, false)]
    [InlineData(3, 5, 17, 1e-5f, false)]
    public void BatchNorm_matches_the_reference(int batch, int channels, int spatial, float eps, bool training)
    {
        var random = new RandomSource((ulong)(channels + spatial));
        TensorShape shape = spatial == 1 ? new TensorShape(batch, channels) : new TensorShape(batch, channels, spatial);
        var g = BatchNormGeometry.FromShape(shape);
        float[] x = Uniform(random, shape.ElementCount, 3.0), dy = Uniform(random, shape.ElementCount);
        float[] gamma = Uniform(random, channels), beta = Uniform(random, channels), rm = Uniform(random, channels, 0.1);
        float[] rv = Array.ConvertAll(Uniform(random, channels), v => 1.5f + v);
        float[] dg0 = Uniform(random, channels), db0 = Uniform(random, channels);

        float[][] Run(IBackend backend)
        {
            Tensor tx = Make(backend, shape, x), ty = backend.Allocate(shape), tdy = Make(backend, shape, dy), tdx = backend.Allocate(shape);
            var c = new TensorShape(channels);
            Tensor tg = Make(backend, c, gamma), tb = Make(backend, c, beta), trm = Make(backend, c, rm), trv = Make(backend, c, rv);
            Tensor mean = backend.Allocate(c), inv = backend.Allocate(c), dg = Make(backend, c, dg0), db = Make(backend, c, db0);
            backend.BatchNormForward(g, tx, tg, tb, trm, trv, training, 0.1f, eps, ty, mean, inv);
            backend.BatchNormBackward(g, training, tdy, tx, tg, mean, inv, tdx, dg, db);
            return [ty.ToArray(), trm.ToArray(), trv.ToArray(), mean.ToArray(), inv.ToArray(), tdx.ToArray(), dg.ToArray(), db.ToArray()];
        }

        float[][] expected = Run(_reference), actual = Run(_fast), single = Run(_single);
        string[] names = ["output", "running_mean", "running_var", "save_mean", "save_invstd", "grad_input", "grad_weight", "grad_bias"];
        double worst = 0;
        for (int i = 0; i < names.Length; i++)
        {
            Assert.Equal(actual[i], single[i]);
        }

        foreach ((SimdWidth width, CpuBackend backend) in _widths)
        {
            float[][] atWidth = Run(backend);
            for (int i = 0; i < names.Length; i++)
            {
                worst = Math.Max(worst, Compare.Close($"batchnorm [{batch}, {channels}, {spatial}] {names[i]} ({width})", ToDouble(expected[i]), atWidth[i], 1e-4, 1e-4));
            }
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"batchnorm [{batch}, {channels}, {spatial}] training={training}: worst relative error {worst:E2}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(16384 + 17)]
    [InlineData(100003)]
    public void Elementwise_kernels_match_the_reference(int length)
    {
        var random = new RandomSource((ulong)length);
        float[] x = Uniform(random, length, 3.0), dy = Uniform(random, length), other = Uniform(random, length);
        var shape = new TensorShape(length);
        Activation[] functions =
        [
            new(ActivationKind.ReLU), new(ActivationKind.LeakyReLU, 0.3f), new(ActivationKind.Tanh), new(ActivationKind.Sigmoid),
        ];
        foreach (Activation f in functions)
        {
            float[][] Run(IBackend backend)
            {
                Tensor tx = Make(backend, shape, x), ty = backend.Allocate(shape), tdy = Make(backend, shape, dy), tdx = backend.Allocate(shape);
                backend.ActivationForward(f, tx, ty);
                backend.ActivationBackward(f, tx, ty, tdy, tdx);
                return [ty.ToArray(), tdx.ToArray()];
            }

            float[][] e = Run(_reference);
            foreach ((SimdWidth width, CpuBackend backend) in _widths)
            {
                float[][] a = Run(backend);
                Compare.Close($"{f.Kind} forward, {length} values ({width})", ToDouble(e[0]), a[0], 1e-6, 1e-6);
                Compare.Close($"{f.Kind} backward, {length} values ({width})", ToDouble(e[1]), a[1], 1e-6, 1e-6);
            }
        }

        // Dropout masks come from an integer hash: the vectorised kernel must give exactly the reference's bits.
        float[][] Drop(IBackend backend)
        {
            Tensor tx = Make(backend, shape, x), mask = backend.Allocate(shape), ty = backend.Allocate(shape), prod = backend.Allocate(shape);
            backend.DropoutForward(tx, 0.3f, 0x1234_5678_9ABCUL, mask, ty);
            backend.Multiply(ty, Make(backend, shape, other), prod);
            return [mask.ToArray(), ty.ToArray(), prod.ToArray()];
        }

        float[][] de = Drop(_reference);
        foreach (CpuBackend backend in _widths.Values)
        {
            float[][] da = Drop(backend);
            Assert.Equal(de[0], da[0]);
            Assert.Equal(de[1], da[1]);
            Assert.Equal(de[2], da[2]);
        }

        // Adam, with weight decay, two steps.
        float[][] AdamRun(IBackend backend)
        {
            Tensor w = Make(backend, shape, x), grad = Make(backend, shape, dy), m = backend.Allocate(shape), v = backend.Allocate(shape);
            for (int t = 1; t <= 2; t++)
            {
                var p = new AdamStepParameters(2e-4, 0.5, 0.999, 1e-8, 0.01, 1 - Math.Pow(0.5, t), 1 - Math.Pow(0.999, t));
                backend.AdamStep(p, w, grad, m, v);
            }

            return [w.ToArray(), m.ToArray(), v.ToArray()];
        }

        // Adam's vector and scalar expressions round alike: the same bits as the reference at every width.
        float[][] ae = AdamRun(_reference);
        foreach (CpuBackend backend in _widths.Values)
        {
            float[][] aa = AdamRun(backend);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(ae[i], aa[i]);
            }
        }

        _output.WriteLine($"elementwise, dropout, adam on {length} values match");
    }

    [Theory]
    [InlineData(3, 5, 1)]
    [InlineData(4, 130, 1)]
    [InlineData(3, 7, 49)]
    [InlineData(2, 64, 196)]
    public void Bias_kernels_match_the_reference(int batch, int channels, int spatial)
    {
        var random = new RandomSource(5);
        TensorShape shape = spatial == 1 ? new TensorShape(batch, channels) : new TensorShape(batch, channels, spatial);
        float[] y = Uniform(random, shape.ElementCount), b = Uniform(random, channels), db0 = Uniform(random, channels);

        float[][] Run(IBackend backend)
        {
            Tensor ty = Make(backend, shape, y), tb = Make(backend, new TensorShape(channels), b), tdb = Make(backend, new TensorShape(channels), db0);
            backend.AddChannelBias(ty, tb);
            backend.SumPerChannel(ty, tdb);
            return [ty.ToArray(), tdb.ToArray()];
        }

        float[][] e = Run(_reference);
        foreach ((SimdWidth width, CpuBackend backend) in _widths)
        {
            float[][] a = Run(backend);
            Compare.Close($"add channel bias ({width})", ToDouble(e[0]), a[0], 1e-6, 1e-6);
            Compare.Close($"sum per channel ({width})", ToDouble(e[1]), a[1], 1e-4, 1e-4);
        }

        Assert.Equal(Run(_fast)[1], Run(_single)[1]);
    }

    public void Dispose()
    {
        _reference.Dispose();
        _fast.Dispose();
        _single.Dispose();
        foreach (CpuBackend backend in _widths.Values)
        {
            backend.Dispose();
        }
    }

    // x86 FMA3 or ARM64 (where every vector multiply-add is fused): the kernels' multiply-adds round once at every width.
    private static bool HasFusedMultiplyAdd =>
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.Arm64.IsSupported;

    internal static float[] Uniform(RandomSource random, int count, double scale = 1.0)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)random.Uniform(-scale, scale);
        }

        return values;
    }

    private static Tensor Make(IBackend backend, TensorShape shape, float[] values)
    {
        Tensor t = backend.Allocate(shape);
        t.CopyFrom(values);
        return t;
    }

    private static double[] ToDouble(float[] values) => Array.ConvertAll(values, v => (double)v);

    private static float[] Transpose(float[] a, int rows, int cols)
    {
        var t = new float[a.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                t[(j * rows) + i] = a[(i * cols) + j];
            }
        }

        return t;
    }

    private static unsafe void RunGemm(int threads, SimdWidth width, int m, int n, int k, float[] a, bool transA, float[] b, bool transB, float[] c, bool accumulate)
    {
        using var pool = new WorkerPool(threads);
        var scratch = new WorkerScratch[threads];
        for (int i = 0; i < threads; i++)
        {
            scratch[i] = new WorkerScratch();
        }

        var gemm = new Gemm(scratch);
        fixed (float* pa = a, pb = b, pc = c)
        {
            gemm.Run(pool, width, m, n, k, pa, transA ? 1 : k, transA ? m : 1, pb, transB ? 1 : n, transB ? k : 1, pc, n, accumulate);
        }
    }

    private static double Check(string what, float[] expected, float[] actual) => Compare.Close(what, ToDouble(expected), actual, 2e-4, 2e-4);

    private static float[] Forward(IBackend backend, ConvGeometry g, float[] x, float[] w)
    {
        Tensor tx = Make(backend, g.InputShape, x), tw = Make(backend, g.WeightShape, w), ty = backend.Allocate(g.OutputShape);
        backend.Fill(ty, float.NaN);
        backend.ConvForward(g, tx, tw, ty);
        return ty.ToArray();
    }

    private static float[] BackwardInput(IBackend backend, ConvGeometry g, float[] dy, float[] w)
    {
        Tensor tdy = Make(backend, g.OutputShape, dy), tw = Make(backend, g.WeightShape, w), tdx = backend.Allocate(g.InputShape);
        backend.Fill(tdx, float.NaN);
        backend.ConvBackwardInput(g, tdy, tw, tdx);
        return tdx.ToArray();
    }

    private static float[] BackwardWeight(IBackend backend, ConvGeometry g, float[] x, float[] dy, float[] dw0)
    {
        Tensor tx = Make(backend, g.InputShape, x), tdy = Make(backend, g.OutputShape, dy), tdw = Make(backend, g.WeightShape, dw0);
        backend.ConvBackwardWeight(g, tx, tdy, tdw);
        return tdw.ToArray();
    }
}
