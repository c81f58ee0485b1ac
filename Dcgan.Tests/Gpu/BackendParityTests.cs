// Every IBackend operation on the ILGPU backend against CpuBackend on the same random inputs (1e-5 relative),
// run once per accelerator by the subclasses at the end of the file (the CUDA one is skipped without a GPU).
namespace Dcgan.Tests.Gpu;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Gpu;
using Dcgan.Tensors;
using Dcgan.Tests.Support;
using static Dcgan.Tests.Gpu.GpuTestSupport;

public abstract class BackendParityTests : IDisposable
{
    private readonly CpuBackend _cpu = new(threads: 2);
    private readonly TensorScope _scope = new();
    private GpuBackend? _tuned;
    private int _savedChunk;
    private int _savedTarget;

    /// <summary>The backend under test (skips the test when it does not exist).</summary>
    protected abstract GpuBackend Gpu { get; }

    public static TheoryData<string, ConvGeometry> Geometries => new()
    {
        { "conv k3 s1 p1 5x7", ConvGeometry.ForConv2d(2, 3, 5, 7, 4, 3, 1, 1) },
        { "conv k4 s2 p1 8x8", ConvGeometry.ForConv2d(3, 2, 8, 8, 3, 4, 2, 1) },
        { "conv k4 s2 p1 odd 7x9", ConvGeometry.ForConv2d(2, 2, 7, 9, 3, 4, 2, 1) },
        { "conv k7 s1 p0 head", ConvGeometry.ForConv2d(3, 4, 7, 7, 1, 7, 1, 0) },
        { "linear as 1x1", ConvGeometry.ForConv2d(5, 6, 1, 1, 4, 1, 1, 0) },
        { "convT k4 s2 p1", ConvGeometry.ForConvTranspose2d(2, 4, 3, 3, 3, 4, 2, 1, 0) },
        { "convT k4 s1 p0 latent", ConvGeometry.ForConvTranspose2d(3, 5, 1, 1, 2, 4, 1, 0, 0) },
        { "convT k5 s2 p2 op1", ConvGeometry.ForConvTranspose2d(2, 3, 3, 4, 2, 5, 2, 2, 1) },
        { "conv k3 s3 p2 stride above half", ConvGeometry.ForConv2d(2, 2, 6, 5, 2, 3, 3, 2) },
    };

    /// <summary>Shapes whose per-channel reductions have 1, 2, 3, odd and non-power-of-two lengths.</summary>
    public static TheoryData<int[]> ChannelShapes => new()
    {
        new[] { 1, 2, 1, 1 },
        new[] { 2, 3, 1, 1 },
        new[] { 3, 2 },
        new[] { 1, 3, 7 },
        new[] { 2, 3, 3, 4 },
        new[] { 5, 2, 13 },
        new[] { 4, 3, 10, 10 },
    };

    /// <summary>Reduction chunk lengths: the default and tiny ones that force many partial sums.</summary>
    private static readonly int[] ChunkLengths = [256, 1, 2, 3];

    public void Dispose()
    {
        if (_tuned is not null)
        {
            _tuned.ReductionChunkLength = _savedChunk;
            _tuned.WeightGradTargetThreads = _savedTarget;
        }

        _scope.Dispose();
        _cpu.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Upload_download_fill_roundtrip()
    {
        GpuBackend gpu = Gpu;
        float[] data = Normal(37, 1);
        Tensor t = _scope.Put(gpu, new TensorShape(37), data, offset: 5);
        AssertBitwise("roundtrip", data, t.ToArray());

        gpu.Fill(t, -0f);
        Assert.All(t.ToArray(), v => Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(v)));
        gpu.Fill(t, float.NaN);
        Assert.All(t.ToArray(), v => Assert.True(float.IsNaN(v)));

        // The neighbours of the view are untouched.
        Tensor owner = t.Reshape(37);
        Assert.Equal(37, owner.Length);
        Tensor fresh = gpu.Allocate(new TensorShape(4, 5));
        Assert.All(fresh.ToArray(), v => Assert.Equal(0f, v));
        fresh.Dispose();
    }

    [Fact]
    public void Fill_and_copy_stay_inside_their_views()
    {
        GpuBackend gpu = Gpu;
        Tensor whole = gpu.Allocate(new TensorShape(20));
        Tensor cpuWhole = _cpu.Allocate(new TensorShape(20));
        foreach (IBackend b in new IBackend[] { gpu, _cpu })
        {
            Tensor w = b == gpu ? whole : cpuWhole;
            w.CopyFrom(Enumerable.Range(0, 20).Select(i => (float)i).ToArray());
            b.Fill(w.Slice(2, new TensorShape(3)), 9f);
            b.Copy(w.Slice(0, new TensorShape(8)), w.Slice(5, new TensorShape(8)));   // overlapping, forwards
            b.Copy(w.Slice(12, new TensorShape(6)), w.Slice(10, new TensorShape(6))); // overlapping, backwards
            b.Copy(w.Slice(0, new TensorShape(2)), w.Slice(18, new TensorShape(2)));  // disjoint
        }

        AssertBitwise("fill + overlapping copies", cpuWhole.ToArray(), whole.ToArray());
        whole.Dispose();
    }

    [Theory]
    [InlineData(2, 3, 4, 1, 1, 2)]
    [InlineData(3, 1, 11, 0, 1, 1)]
    [InlineData(1, 5, 5, 2, 0, 3)]
    public void Copy_channels_moves_each_samples_block_and_nothing_else(int n, int sourceChannels, int destinationChannels, int sourceChannel, int destinationChannel, int channels)
    {
        GpuBackend gpu = Gpu;
        const int h = 3, w = 2;
        float[] source = Random(n * sourceChannels * h * w, 11);
        float[] before = Random(n * destinationChannels * h * w, 12);
        float[] expected = (float[])before.Clone();
        int plane = h * w;
        for (int s = 0; s < n; s++)
        {
            Array.Copy(source, ((s * sourceChannels) + sourceChannel) * plane, expected, ((s * destinationChannels) + destinationChannel) * plane, channels * plane);
        }

        foreach (IBackend backend in new IBackend[] { _cpu, gpu })
        {
            // Views at offsets into larger buffers, so an offset mistake shows.
            Tensor x = _scope.Put(backend, new TensorShape(n, sourceChannels, h, w), source, offset: 5);
            Tensor y = _scope.Put(backend, new TensorShape(n, destinationChannels, h, w), before, offset: 3);
            backend.CopyChannels(x, sourceChannel, y, destinationChannel, channels);
            Assert.Equal(expected, y.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Convolutions_match_cpu(string name, ConvGeometry g)
    {
        GpuBackend gpu = Gpu;
        float[] x = Normal(g.InputShape.ElementCount, 10);
        float[] w = Normal(g.WeightShape.ElementCount, 11, std: 0.3);
        float[] dy = Normal(g.OutputShape.ElementCount, 12);
        float[] dw0 = Normal(g.WeightShape.ElementCount, 13, std: 0.1);

        float[] Run(IBackend b, int targetThreads)
        {
            if (b is GpuBackend tuned)
            {
                Tune(tuned).WeightGradTargetThreads = targetThreads;
            }

            Tensor tx = _scope.Put(b, g.InputShape, x), tw = _scope.Put(b, g.WeightShape, w), tdy = _scope.Put(b, g.OutputShape, dy);
            Tensor y = _scope.Zeros(b, g.OutputShape), dx = _scope.Put(b, g.InputShape, x), dw = _scope.Put(b, g.WeightShape, dw0);
            b.ConvForward(g, tx, tw, y);
            b.ConvBackwardInput(g, tdy, tw, dx);
            b.ConvBackwardWeight(g, tx, tdy, dw);
            return [.. y.ToArray(), .. dx.ToArray(), .. dw.ToArray()];
        }

        float[] expected = Run(_cpu, 0);
        int ny = g.OutputShape.ElementCount, nx = g.InputShape.ElementCount;
        foreach (int target in new[] { 1, 1 << 20 })
        {
            float[] actual = Run(gpu, target);
            AssertClose($"{name} forward", expected[..ny], actual[..ny]);
            AssertClose($"{name} input gradient", expected[ny..(ny + nx)], actual[ny..(ny + nx)]);
            AssertClose($"{name} weight gradient (accumulated, target {target} threads)", expected[(ny + nx)..], actual[(ny + nx)..]);
        }
    }

    [Theory]
    [MemberData(nameof(ChannelShapes))]
    public void Channel_bias_and_sum_match_cpu(int[] dims)
    {
        GpuBackend gpu = Gpu;
        var shape = new TensorShape(dims);
        int channels = dims[1];
        float[] y = Normal(shape.ElementCount, 20);
        float[] bias = Normal(channels, 21);
        float[] db0 = Normal(channels, 22);

        float[] Run(IBackend b)
        {
            Tensor ty = _scope.Put(b, shape, y), tb = _scope.Put(b, new TensorShape(channels), bias), tdb = _scope.Put(b, new TensorShape(channels), db0);
            b.AddChannelBias(ty, tb);
            b.SumPerChannel(ty, tdb);
            return [.. ty.ToArray(), .. tdb.ToArray()];
        }

        float[] expected = Run(_cpu);
        foreach (int chunk in ChunkLengths)
        {
            Tune(gpu).ReductionChunkLength = chunk;
            float[] actual = Run(gpu);
            AssertBitwise($"{shape} bias added", expected[..shape.ElementCount], actual[..shape.ElementCount]);
            AssertClose($"{shape} per-channel sum (chunk {chunk})", expected[shape.ElementCount..], actual[shape.ElementCount..]);
        }
    }

    [Theory]
    [MemberData(nameof(ChannelShapes))]
    public void BatchNorm_matches_cpu_in_both_modes(int[] dims)
    {
        GpuBackend gpu = Gpu;
        var shape = new TensorShape(dims);
        BatchNormGeometry g = BatchNormGeometry.FromShape(shape);
        var channels = new TensorShape(g.Channels);
        float[] x = Normal(shape.ElementCount, 30, mean: 0.5, std: 2);
        float[] dy = Normal(shape.ElementCount, 31);
        float[] gamma = Normal(g.Channels, 32, mean: 1, std: 0.2);
        float[] beta = Normal(g.Channels, 33, std: 0.2);
        float[] rm = Normal(g.Channels, 34, std: 0.1);
        float[] rv = Random(g.Channels, 35, 0.5, 1.5);
        float[] grads0 = Normal(2 * g.Channels, 36, std: 0.1);

        float[] Run(IBackend b, bool training, bool withGrads)
        {
            Tensor tx = _scope.Put(b, shape, x), tdy = _scope.Put(b, shape, dy);
            Tensor tg = _scope.Put(b, channels, gamma), tb = _scope.Put(b, channels, beta);
            Tensor trm = _scope.Put(b, channels, rm), trv = _scope.Put(b, channels, rv);
            Tensor y = _scope.Zeros(b, shape), mean = _scope.Zeros(b, channels), inv = _scope.Zeros(b, channels), dx = _scope.Zeros(b, shape);
            Tensor dg = _scope.Put(b, channels, grads0.AsSpan(0, g.Channels)), dbeta = _scope.Put(b, channels, grads0.AsSpan(g.Channels));
            b.BatchNormForward(g, tx, tg, tb, trm, trv, training, 0.1f, 1e-5f, y, mean, inv);
            b.BatchNormBackward(g, training, tdy, tx, tg, mean, inv, dx, withGrads ? dg : null, withGrads ? dbeta : null);
            return [.. y.ToArray(), .. mean.ToArray(), .. inv.ToArray(), .. trm.ToArray(), .. trv.ToArray(), .. dx.ToArray(), .. dg.ToArray(), .. dbeta.ToArray()];
        }

        foreach (bool training in g.ValuesPerChannel >= 2 ? new[] { true, false } : new[] { false })
        {
            foreach (bool withGrads in new[] { true, false })
            {
                float[] expected = Run(_cpu, training, withGrads);
                foreach (int chunk in ChunkLengths)
                {
                    Tune(gpu).ReductionChunkLength = chunk;
                    float[] actual = Run(gpu, training, withGrads);
                    string what = $"BatchNorm {shape} {(training ? "train" : "eval")} grads={withGrads} chunk {chunk}";
                    int n = shape.ElementCount, c = g.Channels;
                    AssertClose($"{what} output", expected[..n], actual[..n]);
                    AssertClose($"{what} stats and running stats", expected[n..(n + (4 * c))], actual[n..(n + (4 * c))]);
                    AssertClose($"{what} input gradient", expected[(n + (4 * c))..(2 * n + (4 * c))], actual[(n + (4 * c))..(2 * n + (4 * c))]);
                    AssertClose($"{what} gamma/beta gradients", expected[(2 * n + (4 * c))..], actual[(2 * n + (4 * c))..]);
                }
            }
        }
    }

    [Fact]
    public void BatchNorm_training_rejects_one_value_per_channel()
    {
        GpuBackend gpu = Gpu;
        var shape = new TensorShape(1, 2, 1, 1);
        var ch = new TensorShape(2);
        var e = Assert.Throws<ArgumentException>(() => gpu.BatchNormForward(BatchNormGeometry.FromShape(shape), _scope.Zeros(gpu, shape), _scope.Zeros(gpu, ch),
            _scope.Zeros(gpu, ch), _scope.Zeros(gpu, ch), _scope.Zeros(gpu, ch), true, 0.1f, 1e-5f, _scope.Zeros(gpu, shape), _scope.Zeros(gpu, ch), _scope.Zeros(gpu, ch)));
        Assert.Contains("more than 1 value per channel", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ActivationKind.ReLU, 0f)]
    [InlineData(ActivationKind.LeakyReLU, 0.2f)]
    [InlineData(ActivationKind.Tanh, 0f)]
    [InlineData(ActivationKind.Sigmoid, 0f)]
    public void Activations_match_cpu_over_the_range_and_special_values(ActivationKind kind, float slope)
    {
        GpuBackend gpu = Gpu;
        var values = new List<float>();
        for (int i = -320; i <= 320; i++)
        {
            values.Add(i / 16f);
        }

        values.AddRange([0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 2.9e-4f, -3.1e-4f,
            0.39999f, -0.4f, 0.40001f, 8.9f, -9.1f, 44f, -45f, 90f, -90f, 1.2345678f, -0.0123f]);
        float[] x = [.. values];
        float[] dy = Normal(x.Length, 40);
        var f = new Activation(kind, slope);
        var shape = new TensorShape(x.Length);

        (float[] Y, float[] Dx) Run(IBackend b)
        {
            Tensor tx = _scope.Put(b, shape, x), y = _scope.Zeros(b, shape), tdy = _scope.Put(b, shape, dy), dx = _scope.Zeros(b, shape);
            b.ActivationForward(f, tx, y);
            b.ActivationBackward(f, tx, y, tdy, dx);
            return (y.ToArray(), dx.ToArray());
        }

        (float[] ey, float[] edx) = Run(_cpu);
        (float[] ay, float[] adx) = Run(gpu);
        if (kind is ActivationKind.ReLU or ActivationKind.LeakyReLU)
        {
            AssertBitwise($"{kind} forward (signed zeros, NaN, infinities)", ey, ay);
            AssertClose($"{kind} backward", edx, adx, 0, 0);
        }
        else
        {
            // TensorPrimitives' float tanh is off by up to 6e-8 absolute near 0 (tanh(0) gives -6e-8), so the CPU
            // comparison allows one float ulp of 1 absolute; the GPU is held to the exact function, relatively.
            double[] exact = x.Select(v => kind == ActivationKind.Tanh ? Math.Tanh(v) : 1 / (1 + Math.Exp(-(double)v))).ToArray();
            double worst = Compare.Close($"{kind} forward against float64", exact, ay, 1e-5, 1e-38);
            TestContext.Current.TestOutputHelper?.WriteLine($"{kind} forward against float64: worst relative error {worst:E2}");
            AssertClose($"{kind} forward against the CPU", ey, ay, 1e-5, 1.2e-7);
            AssertClose($"{kind} backward against the CPU", edx, adx);
            for (int i = 0; i < x.Length; i++)
            {
                if (x[i] == 0f && kind == ActivationKind.Tanh)
                {
                    AssertBitwise($"tanh({x[i]:R}) keeps the sign of zero", [x[i]], [ay[i]]);
                }
            }
        }
    }

    [Theory]
    [InlineData(0f, 1UL)]
    [InlineData(0.3f, 2UL)]
    [InlineData(0.5f, 0xDEADBEEFUL)]
    [InlineData(0.9f, ulong.MaxValue)]
    public void Dropout_draws_the_cpu_mask_and_multiply_matches(float p, ulong seed)
    {
        GpuBackend gpu = Gpu;
        float[] x = Normal(301, 50);
        var shape = new TensorShape(301);

        (float[] Mask, float[] Y, float[] Back) Run(IBackend b)
        {
            Tensor tx = _scope.Put(b, shape, x), m = _scope.Zeros(b, shape), y = _scope.Zeros(b, shape), back = _scope.Zeros(b, shape);
            b.DropoutForward(tx, p, seed, m, y);
            b.Multiply(y, m, back);
            return (m.ToArray(), y.ToArray(), back.ToArray());
        }

        var (em, ey, eb) = Run(_cpu);
        var (am, ay, ab) = Run(gpu);
        AssertBitwise($"dropout mask p={p}", em, am);
        AssertBitwise($"dropout output p={p}", ey, ay);
        AssertBitwise($"multiply", eb, ab);
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.DropoutForward(_scope.Zeros(gpu, shape), 1f, seed, _scope.Zeros(gpu, shape), _scope.Zeros(gpu, shape)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(128)]
    [InlineData(1000)]
    public void BCEWithLogits_matches_cpu(int n)
    {
        GpuBackend gpu = Gpu;
        float[] logits = Normal(n, 60, std: 6);
        logits[0] = n > 1 ? 100f : logits[0];
        if (n > 2)
        {
            logits[1] = -100f;
            logits[2] = -0f;
        }

        float[] targets = Random(n, 61, 0, 1).Select((v, i) => i % 3 == 0 ? 1f : i % 3 == 1 ? 0f : v).ToArray();
        var shape = new TensorShape(n);

        float[] Run(IBackend b, bool withGrad)
        {
            Tensor tx = _scope.Put(b, shape, logits), ty = _scope.Put(b, shape, targets);
            Tensor loss = _scope.Zeros(b, new TensorShape()), dx = _scope.Put(b, shape, logits);
            b.BCEWithLogits(tx, ty, loss, withGrad ? dx : null);
            return [loss.Item(), .. dx.ToArray()];
        }

        foreach (bool withGrad in new[] { true, false })
        {
            float[] expected = Run(_cpu, withGrad);
            foreach (int chunk in ChunkLengths)
            {
                Tune(gpu).ReductionChunkLength = chunk;
                float[] actual = Run(gpu, withGrad);
                AssertClose($"BCE loss n={n} chunk {chunk}", expected[..1], actual[..1], 1e-5, 1e-30);
                AssertClose($"BCE gradient n={n} grad={withGrad}", expected[1..], actual[1..]);
            }
        }
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(7, 3)]
    [InlineData(130, 10)]
    public void CrossEntropy_matches_cpu(int rows, int classes)
    {
        GpuBackend gpu = Gpu;
        float[] logits = Normal(rows * classes, 62, std: 4);
        logits[0] = 1000f;
        if (rows * classes > 2)
        {
            logits[1] = -1000f;
        }

        float[] targets = Random(rows, 63, 0, classes).Select(v => MathF.Min(MathF.Floor(v), classes - 1)).ToArray();
        var shape = new TensorShape(rows, classes);

        float[] Run(IBackend b, bool withGrad)
        {
            Tensor tx = _scope.Put(b, shape, logits), ty = _scope.Put(b, new TensorShape(rows), targets);
            Tensor loss = _scope.Zeros(b, new TensorShape()), dx = _scope.Put(b, shape, logits);
            b.CrossEntropy(tx, ty, loss, withGrad ? dx : null);
            return [loss.Item(), .. dx.ToArray()];
        }

        foreach (bool withGrad in new[] { true, false })
        {
            float[] expected = Run(_cpu, withGrad);
            Assert.True(float.IsFinite(expected[0]), $"CPU cross-entropy is {expected[0]}.");
            foreach (int chunk in ChunkLengths)
            {
                Tune(gpu).ReductionChunkLength = chunk;
                float[] actual = Run(gpu, withGrad);
                AssertClose($"cross-entropy loss {rows}x{classes} chunk {chunk}", expected[..1], actual[..1], 1e-5, 1e-30);
                AssertClose($"cross-entropy gradient {rows}x{classes} grad={withGrad}", expected[1..], actual[1..]);
            }
        }
    }

    [Fact]
    public void CrossEntropy_with_an_invalid_target_is_NaN_like_the_cpu()
    {
        GpuBackend gpu = Gpu;
        float[] Run(IBackend b)
        {
            Tensor tx = _scope.Put(b, new TensorShape(2, 3), Normal(6, 64)), ty = _scope.Put(b, new TensorShape(2), [1f, 3f]);
            Tensor loss = _scope.Zeros(b, new TensorShape()), dx = _scope.Zeros(b, new TensorShape(2, 3));
            b.CrossEntropy(tx, ty, loss, dx);
            return [loss.Item(), .. dx.ToArray()];
        }

        foreach (float[] r in new[] { Run(_cpu), Run(gpu) })
        {
            Assert.True(float.IsNaN(r[0]), $"loss with target 3 of 3 classes is {r[0]}; expected NaN.");
            Assert.All(r[1..4], v => Assert.True(float.IsFinite(v)));
            Assert.All(r[4..], v => Assert.True(float.IsNaN(v)));
        }
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.01f)]
    public void Adam_matches_cpu_over_three_steps(float weightDecay)
    {
        GpuBackend gpu = Gpu;
        const int n = 517;
        var shape = new TensorShape(n);
        float[] w = Normal(n, 70);

        float[] Run(IBackend b)
        {
            Tensor tw = _scope.Put(b, shape, w), m = _scope.Zeros(b, shape), v = _scope.Zeros(b, shape), g = _scope.Zeros(b, shape);
            for (int t = 1; t <= 3; t++)
            {
                g.CopyFrom(Normal(n, 71 + (ulong)t, std: 0.5));
                var p = new AdamStepParameters(2e-4f, 0.5f, 0.999f, 1e-8f, weightDecay, 1 - Math.Pow(0.5, t), 1 - Math.Pow(0.999, t));
                b.AdamStep(p, tw, g, m, v);
            }

            return [.. tw.ToArray(), .. m.ToArray(), .. v.ToArray()];
        }

        AssertClose($"Adam weight decay {weightDecay} (param, m, v)", Run(_cpu), Run(gpu));
    }

    [Fact]
    public void Results_are_bit_identical_from_run_to_run()
    {
        GpuBackend gpu = Gpu;
        Tune(gpu).ReductionChunkLength = 5;
        gpu.WeightGradTargetThreads = 1 << 20;
        ConvGeometry g = ConvGeometry.ForConv2d(6, 3, 6, 6, 4, 4, 2, 1);
        var bnShape = new TensorShape(6, 4, 3, 3);
        BatchNormGeometry bn = BatchNormGeometry.FromShape(bnShape);
        var ch = new TensorShape(4);
        Tensor x = _scope.Put(gpu, g.InputShape, Normal(g.InputShape.ElementCount, 80));
        Tensor dy = _scope.Put(gpu, g.OutputShape, Normal(g.OutputShape.ElementCount, 81));
        Tensor dw = _scope.Zeros(gpu, g.WeightShape);
        Tensor bx = _scope.Put(gpu, bnShape, Normal(bnShape.ElementCount, 82));
        Tensor by = _scope.Zeros(gpu, bnShape), mean = _scope.Zeros(gpu, ch), inv = _scope.Zeros(gpu, ch), rm = _scope.Zeros(gpu, ch), rv = _scope.Zeros(gpu, ch);
        Tensor gamma = _scope.Put(gpu, ch, [1f, 2f, 0.5f, -1f]), beta = _scope.Zeros(gpu, ch), bdx = _scope.Zeros(gpu, bnShape);
        Tensor loss = _scope.Zeros(gpu, new TensorShape());

        float[] Once()
        {
            gpu.Fill(dw, 0f);
            gpu.ConvBackwardWeight(g, x, dy, dw);
            gpu.BatchNormForward(bn, bx, gamma, beta, rm, rv, true, 0.1f, 1e-5f, by, mean, inv);
            gpu.BatchNormBackward(bn, true, by, bx, gamma, mean, inv, bdx, null, null);
            gpu.BCEWithLogits(bx.Reshape(-1), by.Reshape(-1), loss, null);
            return [.. dw.ToArray(), .. by.ToArray(), .. bdx.ToArray(), loss.Item()];
        }

        AssertBitwise("second run", Once(), Once());
    }

    [Fact]
    public void Bad_shapes_and_foreign_tensors_are_rejected_before_any_kernel()
    {
        GpuBackend gpu = Gpu;
        ConvGeometry g = ConvGeometry.ForConv2d(2, 3, 5, 5, 4, 3, 1, 1);
        Tensor x = _scope.Zeros(gpu, g.InputShape), w = _scope.Zeros(gpu, g.WeightShape);
        Tensor wrong = _scope.Zeros(gpu, new TensorShape(2, 4, 5, 4));
        var e = Assert.Throws<ArgumentException>(() => gpu.ConvForward(g, x, w, wrong));
        Assert.Contains("[2, 4, 5, 4]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 4, 5, 5]", e.Message, StringComparison.Ordinal);

        Tensor foreign = _cpu.Allocate(g.InputShape);
        e = Assert.Throws<ArgumentException>(() => gpu.ConvForward(g, foreign, w, _scope.Zeros(gpu, g.OutputShape)));
        Assert.Contains("does not belong", e.Message, StringComparison.Ordinal);

        ConvGeometry strideZero = g with { Stride = 0 };
        Assert.Throws<ArgumentException>(() => gpu.ConvBackwardInput(strideZero, _scope.Zeros(gpu, g.OutputShape), w, x));

        e = Assert.Throws<ArgumentException>(() => gpu.Multiply(x, w, x));
        Assert.Contains("elements", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => gpu.BCEWithLogits(x, x, x, null));
        Assert.Contains("loss", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => gpu.Upload(new float[3], x));

        Tensor freed = gpu.Allocate(new TensorShape(4));
        Tensor view = freed.Reshape(2, 2);
        freed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gpu.Fill(view, 1f));
    }

    /// <summary>Remembers the tuning of <paramref name="gpu"/> so Dispose can restore it, and returns it.</summary>
    private GpuBackend Tune(GpuBackend gpu)
    {
        if (_tuned is null)
        {
            _tuned = gpu;
            _savedChunk = gpu.ReductionChunkLength;
            _savedTarget = gpu.WeightGradTargetThreads;
        }

        return gpu;
    }
}

[Collection(IlgpuCollection.Name)]
public sealed class IlgpuCpuParityTests(IlgpuFixture fixture) : BackendParityTests
{
    protected override GpuBackend Gpu => fixture.CpuAccelerator;
}

[Collection(IlgpuCollection.Name)]
public sealed class CudaParityTests(IlgpuFixture fixture) : BackendParityTests
{
    protected override GpuBackend Gpu => fixture.RequireCuda();
}
