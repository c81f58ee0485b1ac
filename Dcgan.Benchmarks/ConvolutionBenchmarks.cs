// Convolution kernels of CpuBackend against HostBackend's plain loops (the Baseline), one class per direction
// (forward, backward-input, backward-weight), on the layer shapes of the tf-tutorial and dcgan presets and one odd
// shape. Batch 64 (one full batch tile of the fast kernels) keeps the reference loops to seconds per call.
// Run: dotnet run -c Release --project Dcgan.Benchmarks -- --filter '*Conv*' --job short
namespace Dcgan.Benchmarks;

using BenchmarkDotNet.Attributes;
using Dcgan.Backends;
using Dcgan.Tensors;

/// <summary>A named convolution geometry (module terms: a ConvTranspose2d is described by its adjoint Conv2d).</summary>
public sealed record ConvCase(string Name, ConvGeometry Geometry)
{
    /// <summary>The benchmark cases.</summary>
    public static IEnumerable<ConvCase> All(int batch)
    {
        yield return new("tf G ConvT(256,128,k5,s1,p2) 7x7", ConvGeometry.ForConvTranspose2d(batch, 256, 7, 7, 128, 5, 1, 2, 0));
        yield return new("tf G ConvT(128,64,k5,s2,p2,op1) 7x7", ConvGeometry.ForConvTranspose2d(batch, 128, 7, 7, 64, 5, 2, 2, 1));
        yield return new("tf D Conv(1,64,k5,s2,p2) 28x28", ConvGeometry.ForConv2d(batch, 1, 28, 28, 64, 5, 2, 2));
        yield return new("tf D Conv(64,128,k5,s2,p2) 14x14", ConvGeometry.ForConv2d(batch, 64, 14, 14, 128, 5, 2, 2));
        yield return new("dcgan G ConvT(256,128,k4,s2,p1) 7x7", ConvGeometry.ForConvTranspose2d(batch, 256, 7, 7, 128, 4, 2, 1, 0));
        yield return new("dcgan G ConvT(128,1,k4,s2,p1) 14x14", ConvGeometry.ForConvTranspose2d(batch, 128, 14, 14, 1, 4, 2, 1, 0));
        yield return new("odd Conv(33,65,k3,s2,p1) 13x11", ConvGeometry.ForConv2d(batch, 33, 13, 11, 65, 3, 2, 1));
    }

    /// <summary>BenchmarkDotNet shows this in its table.</summary>
    public override string ToString() => Name;
}

/// <summary>The tensors of one convolution on both backends, checked against each other before timing.</summary>
public abstract class ConvolutionBenchmark : BackendPair
{
    private (Tensor Reference, Tensor Fast) _x;
    private (Tensor Reference, Tensor Fast) _w;
    private (Tensor Reference, Tensor Fast) _y;

    /// <summary>Samples per call.</summary>
    public const int Batch = 64;

    /// <summary>The geometry being timed.</summary>
    [ParamsSource(nameof(Cases))]
    public ConvCase Case { get; set; } = null!;

    /// <summary>The cases, for <see cref="ParamsSourceAttribute"/>.</summary>
    public static IEnumerable<ConvCase> Cases() => ConvCase.All(Batch);

    /// <summary>Creates the tensors and checks the fast kernel against the reference once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        CreateBackends();
        ConvGeometry g = Case.Geometry;
        _x = Pair(g.InputShape, 1);
        _w = Pair(g.WeightShape, 2, 0.1);
        _y = Pair(g.OutputShape, 3);
        Run(Reference, _x.Reference, _w.Reference, _y.Reference);
        Run(Fast, _x.Fast, _w.Fast, _y.Fast);
        CheckClose($"{GetType().Name} {Case}", Result(true), Result(false));
    }

    /// <summary>Frees the backends.</summary>
    [GlobalCleanup]
    public void Cleanup() => Dispose();

    /// <summary>HostBackend's loops.</summary>
    [Benchmark(Baseline = true)]
    public void ReferenceLoops() => Run(Reference, _x.Reference, _w.Reference, _y.Reference);

    /// <summary>CpuBackend's kernels.</summary>
    [Benchmark]
    public void FastKernels() => Run(Fast, _x.Fast, _w.Fast, _y.Fast);

    /// <summary>Runs the direction being timed.</summary>
    protected abstract void Run(IBackend backend, Tensor x, Tensor w, Tensor y);

    /// <summary>The tensor the direction writes.</summary>
    protected abstract Tensor Written(Tensor x, Tensor w, Tensor y);

    private Tensor Result(bool reference) =>
        reference ? Written(_x.Reference, _w.Reference, _y.Reference) : Written(_x.Fast, _w.Fast, _y.Fast);
}

/// <summary>y = conv2d(x, w) (ConvTranspose2d's input gradient).</summary>
public class ConvForwardBenchmarks : ConvolutionBenchmark
{
    /// <inheritdoc/>
    protected override void Run(IBackend backend, Tensor x, Tensor w, Tensor y) => backend.ConvForward(Case.Geometry, x, w, y);

    /// <inheritdoc/>
    protected override Tensor Written(Tensor x, Tensor w, Tensor y) => y;
}

/// <summary>dx = conv_transpose2d(dy, w) (ConvTranspose2d's forward).</summary>
public class ConvBackwardInputBenchmarks : ConvolutionBenchmark
{
    /// <inheritdoc/>
    protected override void Run(IBackend backend, Tensor x, Tensor w, Tensor y) => backend.ConvBackwardInput(Case.Geometry, y, w, x);

    /// <inheritdoc/>
    protected override Tensor Written(Tensor x, Tensor w, Tensor y) => x;
}

/// <summary>dw += Σ dy ⊗ x (the weight gradient of both convolution modules).</summary>
public class ConvBackwardWeightBenchmarks : ConvolutionBenchmark
{
    /// <inheritdoc/>
    protected override void Run(IBackend backend, Tensor x, Tensor w, Tensor y)
    {
        // Accumulation into w grows it by one gradient per call; the values stay finite over a benchmark run.
        backend.ConvBackwardWeight(Case.Geometry, x, y, w);
    }

    /// <inheritdoc/>
    protected override Tensor Written(Tensor x, Tensor w, Tensor y) => w;
}
