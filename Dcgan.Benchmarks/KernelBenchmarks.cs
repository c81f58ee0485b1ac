// The other kernel families of CpuBackend against their plain reference loops (the Baseline): the packed GEMM (Linear
// layers and DCGAN's 1×1-output convolutions), BatchNorm, activations and dropout, Adam. Shapes are the presets' own
// plus one odd shape; every class checks the fast result against the reference before timing.
namespace Dcgan.Benchmarks;

using BenchmarkDotNet.Attributes;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Tensors;

/// <summary>C = A·B with the packed Vector512 GEMM against a plain triple loop.</summary>
public unsafe class GemmBenchmarks : IDisposable
{
    private WorkerPool _pool = null!;
    private Gemm _gemm = null!;
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private float[] _reference = [];

    /// <summary>M×N×K: tf G's Linear(100, 12544) at batch 256, dcgan D's last layer as a product at batch 128, an odd one.</summary>
    [Params("256x12544x100", "128x128x6272", "129x65x257")]
    public string Shape { get; set; } = "129x65x257";

    private int M => int.Parse(Shape.Split('x')[0]);

    private int N => int.Parse(Shape.Split('x')[1]);

    private int K => int.Parse(Shape.Split('x')[2]);

    /// <summary>Creates the matrices and checks the GEMM against the loop.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _pool = new WorkerPool(BackendPair.Threads);
        var scratch = new WorkerScratch[BackendPair.Threads];
        for (int i = 0; i < scratch.Length; i++)
        {
            scratch[i] = new WorkerScratch();
        }

        _gemm = new Gemm(scratch);
        var random = new Random(1);
        _a = Enumerable.Range(0, M * K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _b = Enumerable.Range(0, K * N).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _c = new float[M * N];
        _reference = new float[M * N];
        PlainLoops();
        Packed();
        for (int i = 0; i < _c.Length; i++)
        {
            if (!(Math.Abs(_c[i] - _reference[i]) <= 1e-3 + (1e-4 * Math.Abs(_reference[i]))))
            {
                throw new InvalidOperationException($"GEMM {Shape}: [{i}] is {_c[i]:R}, the plain loops give {_reference[i]:R}.");
            }
        }
    }

    /// <summary>Frees the pool.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>i-k-j loops, one thread per row block (as plain as a reference gets while still finishing).</summary>
    [Benchmark(Baseline = true)]
    public void PlainLoops()
    {
        int m = M, n = N, k = K;
        float[] a = _a, b = _b, c = _reference;
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = BackendPair.Threads }, i =>
        {
            Span<float> row = c.AsSpan(i * n, n);
            row.Clear();
            for (int p = 0; p < k; p++)
            {
                float av = a[(i * k) + p];
                ReadOnlySpan<float> brow = b.AsSpan(p * n, n);
                for (int j = 0; j < n; j++)
                {
                    row[j] += av * brow[j];
                }
            }
        });
    }

    /// <summary>The packed GEMM of CpuBackend.</summary>
    [Benchmark]
    public void Packed()
    {
        fixed (float* a = _a, b = _b, c = _c)
        {
            _gemm.Run(_pool, SimdWidths.Best, M, N, K, a, K, 1, b, N, 1, c, N, false);
        }
    }
}

/// <summary>BatchNorm forward (training) and backward on the presets' shapes.</summary>
public class BatchNormBenchmarks : BackendPair
{
    private (Tensor Reference, Tensor Fast) _x;
    private (Tensor Reference, Tensor Fast) _dy;
    private (Tensor Reference, Tensor Fast) _y;
    private (Tensor Reference, Tensor Fast) _dx;
    private (Tensor Reference, Tensor Fast) _gamma;
    private (Tensor Reference, Tensor Fast) _beta;
    private (Tensor Reference, Tensor Fast) _rm;
    private (Tensor Reference, Tensor Fast) _rv;
    private (Tensor Reference, Tensor Fast) _mean;
    private (Tensor Reference, Tensor Fast) _inv;
    private (Tensor Reference, Tensor Fast) _dg;
    private (Tensor Reference, Tensor Fast) _db;
    private BatchNormGeometry _g;

    /// <summary>[N, C, S]: tf G's BatchNorm1d(12544), tf G's BatchNorm2d(128) at 7×7, dcgan G's BatchNorm2d(128) at 14×14, odd.</summary>
    [Params("256x12544x1", "256x128x49", "128x128x196", "7x13x15")]
    public string Shape { get; set; } = "7x13x15";

    /// <summary>Creates the tensors and checks forward and backward.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateBackends();
        int[] d = Shape.Split('x').Select(int.Parse).ToArray();
        var shape = new TensorShape(d[0], d[1], d[2]);
        var channels = new TensorShape(d[1]);
        _g = BatchNormGeometry.FromShape(shape);
        _x = Pair(shape, 1, 2.0);
        _dy = Pair(shape, 2);
        _y = Pair(shape, 3);
        _dx = Pair(shape, 4);
        _gamma = Pair(channels, 5);
        _beta = Pair(channels, 6);
        _rm = Pair(channels, 7, 0.1);
        _rv = Pair(channels, 8, 0.1);
        Reference.Fill(_rv.Reference, 1f);
        Fast.Fill(_rv.Fast, 1f);
        _mean = Pair(channels, 9);
        _inv = Pair(channels, 10);
        _dg = Pair(channels, 11);
        _db = Pair(channels, 12);
        ReferenceLoops();
        FastKernels();
        CheckClose($"BatchNorm {Shape} output", _y.Reference, _y.Fast, 1e-4, 1e-4);
        CheckClose($"BatchNorm {Shape} input gradient", _dx.Reference, _dx.Fast, 1e-3, 1e-4);
    }

    /// <summary>Frees the backends.</summary>
    [GlobalCleanup]
    public void Cleanup() => Dispose();

    /// <summary>HostBackend's loops.</summary>
    [Benchmark(Baseline = true)]
    public void ReferenceLoops() => Step(Reference, 0);

    /// <summary>CpuBackend's kernels.</summary>
    [Benchmark]
    public void FastKernels() => Step(Fast, 1);

    private void Step(IBackend b, int i)
    {
        Tensor P((Tensor Reference, Tensor Fast) t) => i == 0 ? t.Reference : t.Fast;
        b.BatchNormForward(_g, P(_x), P(_gamma), P(_beta), P(_rm), P(_rv), true, 0.1f, 1e-5f, P(_y), P(_mean), P(_inv));
        b.BatchNormBackward(_g, true, P(_dy), P(_x), P(_gamma), P(_mean), P(_inv), P(_dx), P(_dg), P(_db));
    }
}

/// <summary>LeakyReLU forward and backward, Tanh forward and dropout, on the presets' activation sizes.</summary>
public class ActivationBenchmarks : BackendPair
{
    private (Tensor Reference, Tensor Fast) _x;
    private (Tensor Reference, Tensor Fast) _y;
    private (Tensor Reference, Tensor Fast) _dy;
    private (Tensor Reference, Tensor Fast) _dx;
    private (Tensor Reference, Tensor Fast) _mask;

    /// <summary>Elements: tf D's 64×14×14 activations at batch 256, tf G's 12544 at batch 256, odd.</summary>
    [Params(3_211_264, 3_211_264 / 4, 100_003)]
    public int Length { get; set; } = 100_003;

    /// <summary>Creates the tensors and checks every kernel.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateBackends();
        var shape = new TensorShape(Length);
        _x = Pair(shape, 1, 3.0);
        _y = Pair(shape, 2);
        _dy = Pair(shape, 3);
        _dx = Pair(shape, 4);
        _mask = Pair(shape, 5);
        ReferenceLoops();
        FastKernels();
        CheckClose("activations (dropout output)", _y.Reference, _y.Fast, 1e-6, 1e-6);
        CheckClose("activations (LeakyReLU gradient)", _dx.Reference, _dx.Fast, 1e-6, 1e-6);
        CheckClose("dropout mask", _mask.Reference, _mask.Fast, 0, 0);
    }

    /// <summary>Frees the backends.</summary>
    [GlobalCleanup]
    public void Cleanup() => Dispose();

    /// <summary>HostBackend's loops.</summary>
    [Benchmark(Baseline = true)]
    public void ReferenceLoops() => Step(Reference, 0);

    /// <summary>CpuBackend's kernels.</summary>
    [Benchmark]
    public void FastKernels() => Step(Fast, 1);

    private void Step(IBackend b, int i)
    {
        Tensor P((Tensor Reference, Tensor Fast) t) => i == 0 ? t.Reference : t.Fast;
        var leaky = new Activation(ActivationKind.LeakyReLU, 0.3f);
        b.ActivationForward(leaky, P(_x), P(_y));
        b.ActivationBackward(leaky, P(_x), P(_y), P(_dy), P(_dx));
        b.ActivationForward(new Activation(ActivationKind.Tanh), P(_x), P(_y));
        b.DropoutForward(P(_x), 0.3f, 12345UL, P(_mask), P(_y));
    }
}

/// <summary>One Adam update over a network's flat parameter buffer.</summary>
public class AdamBenchmarks : BackendPair
{
    private (Tensor Reference, Tensor Fast) _w;
    private (Tensor Reference, Tensor Fast) _g;
    private (Tensor Reference, Tensor Fast) _m;
    private (Tensor Reference, Tensor Fast) _v;

    /// <summary>Parameters: tf G (2,305,472), dcgan G (1,781,504), odd.</summary>
    [Params(2_305_472, 1_781_504, 100_003)]
    public int Length { get; set; } = 100_003;

    /// <summary>Creates the buffers and checks one update.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateBackends();
        var shape = new TensorShape(Length);
        _w = Pair(shape, 1);
        _g = Pair(shape, 2);
        _m = Pair(shape, 3, 0.1);
        _v = Pair(shape, 4, 0.1);
        Reference.ActivationForward(new Activation(ActivationKind.ReLU), _v.Reference, _v.Reference);
        Fast.ActivationForward(new Activation(ActivationKind.ReLU), _v.Fast, _v.Fast);
        ReferenceLoops();
        FastKernels();
        CheckClose("Adam parameters", _w.Reference, _w.Fast, 1e-6, 1e-7);
    }

    /// <summary>Frees the backends.</summary>
    [GlobalCleanup]
    public void Cleanup() => Dispose();

    /// <summary>HostBackend's loop.</summary>
    [Benchmark(Baseline = true)]
    public void ReferenceLoops() => Reference.AdamStep(Parameters, _w.Reference, _g.Reference, _m.Reference, _v.Reference);

    /// <summary>CpuBackend's kernel.</summary>
    [Benchmark]
    public void FastKernels() => Fast.AdamStep(Parameters, _w.Fast, _g.Fast, _m.Fast, _v.Fast);

    private static AdamStepParameters Parameters => new(1e-4, 0.9, 0.999, 1e-7, 0, 0.1, 0.001);
}
