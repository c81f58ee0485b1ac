// Convolution kernels of CpuBackend against HostBackend's plain loops (the Baseline), one class per direction
// (forward, backward-input, backward-weight), on the layer shapes of the tf-tutorial and dcgan presets and one odd
// shape. Batch 64 (one full batch tile of the fast kernels) keeps the reference loops to seconds per call.
// Run: dotnet run -c Release --project Dcgan.Benchmarks -- --filter '*Conv*' --job short
namespace Dcgan.Benchmarks;

using BenchmarkDotNet.Attributes;
using Dcgan.Backends;
using Dcgan.Tensors;

/// <summary>
/// A named convolution geometry (a ConvTranspose2d is described by its adjoint Conv2d). Names are short because
/// BenchmarkDotNet abbreviates long parameter values: tf-G-ConvT256-k5s1 is G's ConvTranspose2d(256, 128, 5, 1, 2)
/// on 7×7, tf-G-ConvT128-k5s2 its ConvTranspose2d(128, 64, 5, 2, 2, 1), tf-D-Conv1-k5s2 D's Conv2d(1, 64, 5, 2, 2)
/// on 28×28, tf-D-Conv64-k5s2 its Conv2d(64, 128, 5, 2, 2) on 14×14; dc-G-ConvT256-k4s2 dcgan G's
/// ConvTranspose2d(256, 128, 4, 2, 1) on 7×7, dc-G-ConvT128to1-k4 its ConvTranspose2d(128, 1, 4, 2, 1) on 14×14;
/// odd-Conv33to65-k3s2 a Conv2d(33, 65, 3, 2, 1) on 13×11.
/// </summary>
public sealed record ConvCase(string Name, ConvGeometry Geometry)
{
    /// <summary>The benchmark cases.</summary>
    public static IEnumerable<ConvCase> All(int batch)
    {
        yield return new("tf-G-ConvT256-k5s1", ConvGeometry.ForConvTranspose2d(batch, 256, 7, 7, 128, 5, 1, 2, 0));
        yield return new("tf-G-ConvT128-k5s2", ConvGeometry.ForConvTranspose2d(batch, 128, 7, 7, 64, 5, 2, 2, 1));
        yield return new("tf-D-Conv1-k5s2", ConvGeometry.ForConv2d(batch, 1, 28, 28, 64, 5, 2, 2));
        yield return new("tf-D-Conv64-k5s2", ConvGeometry.ForConv2d(batch, 64, 14, 14, 128, 5, 2, 2));
        yield return new("dc-G-ConvT256-k4s2", ConvGeometry.ForConvTranspose2d(batch, 256, 7, 7, 128, 4, 2, 1, 0));
        yield return new("dc-G-ConvT128to1-k4", ConvGeometry.ForConvTranspose2d(batch, 128, 14, 14, 1, 4, 2, 1, 0));
        yield return new("odd-Conv33to65-k3s2", ConvGeometry.ForConv2d(batch, 33, 13, 11, 65, 3, 2, 1));
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
