// ONNX export checked with the real runtime: every preset's G and D (and a network with every supported layer)
// is exported, loaded by Microsoft.ML.OnnxRuntime and run on random inputs of two batch sizes; its outputs must
// match our forward pass in evaluation mode to a relative error of 1e-5 of the output's scale.
namespace Dcgan.Tests.Onnx;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Modules;
using Dcgan.Onnx;
using Dcgan.Samples.Training;
using Dcgan.Tensors;
using Dcgan.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Dcgan.Tensors.Tensor;

public sealed class OnnxExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [InlineData(Architectures.Dcgan, "G")]
    [InlineData(Architectures.Dcgan, "D")]
    [InlineData(Architectures.TfTutorial, "G")]
    [InlineData(Architectures.TfTutorial, "D")]
    public void Preset_network_runs_in_onnx_runtime_like_our_forward(string arch, string which)
    {
        var backend = new CpuBackend();
        using GanModel model = Presets.Build(new TrainOptions { Arch = arch }, backend, new RandomSource(3));
        Network network = which == "G" ? model.Generator : model.Discriminator;
        RandomizeBatchNorm(network, new RandomSource(4));
        int[] sample = which == "G" ? model.NoiseShape(1).ToArray()[1..] : [1, 28, 28];

        byte[] onnx = OnnxExporter.Export(network, sample);
        output.WriteLine($"{arch} {which}: {onnx.Length:N0} bytes, {network.Parameters().Sum(p => p.Shape.ElementCount):N0} parameters");
        CheckAgainstRuntime(network, backend, onnx, sample, [1, 7]);
    }

    [Fact]
    public void Every_supported_layer_runs_in_onnx_runtime_like_our_forward()
    {
        var backend = new CpuBackend(threads: 1);
        // Biased convolutions, Sigmoid, BatchNorm1d, nested containers and a trailing Dropout (so the output is an Identity).
        using var network = new Sequential(
            new Conv2d(2, 4, 3, stride: 2, padding: 1),             // [N, 4, 4, 4]
            new BatchNorm2d(4, eps: 1e-3f),
            new Sigmoid(),
            new Dropout(0.5f),
            new Sequential(
                new ConvTranspose2d(4, 3, 3, stride: 2, padding: 1, outputPadding: 1), // [N, 3, 8, 8]
                new ReLU()),
            new Flatten(),                                          // [N, 192]
            new Linear(192, 12),
            new BatchNorm1d(12),
            new LeakyReLU(0.1f),
            new Unflatten(3, 2, 2),                                 // [N, 3, 2, 2]
            new Tanh(),
            new Dropout(0.2f));
        network.To(backend, new RandomSource(5));
        RandomizeBatchNorm(network, new RandomSource(6));

        byte[] onnx = OnnxExporter.Export(network, [2, 8, 8]);
        CheckAgainstRuntime(network, backend, onnx, [2, 8, 8], [2, 5]);
    }

    [Fact]
    public void Batch_dimension_is_symbolic_and_names_are_the_state_dict_keys()
    {
        var backend = new CpuBackend(threads: 1);
        using Network g = DcganModels.Generator(8, 8, 4);
        g.To(backend, new RandomSource(1));

        using var session = new InferenceSession(OnnxExporter.Export(g, [8, 1, 1], new OnnxExportOptions { InputName = "z", OutputName = "images", BatchDimensionName = "batch" }));
        NodeMetadata input = session.InputMetadata["z"];
        NodeMetadata outputMeta = session.OutputMetadata["images"];
        Assert.Equal([-1, 8, 1, 1], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal([-1, 1, 28, 28], outputMeta.Dimensions);
        Assert.Equal("batch", outputMeta.SymbolicDimensions[0]);
        Assert.Equal("G", session.ModelMetadata.GraphName);
        Assert.Equal("Dcgan", session.ModelMetadata.ProducerName);
    }

    [Fact]
    public void Unsupported_module_throws_naming_it()
    {
        var backend = new CpuBackend(threads: 1);
        using var network = new Network("G", new Linear(4, 4), new Square(), new Tanh());
        network.To(backend, new RandomSource(1));

        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(network, [4]));
        output.WriteLine(e.Message);
        Assert.Contains("'main.1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Square), e.Message, StringComparison.Ordinal);
        Assert.Contains("Conv2d", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_shape_that_does_not_fit_names_the_layer()
    {
        var backend = new CpuBackend(threads: 1);
        using Network d = DcganModels.Discriminator(4);
        d.To(backend, new RandomSource(1));

        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(d, [3, 28, 28]));
        output.WriteLine(e.Message);
        Assert.Contains("'main.0'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => OnnxExporter.Export(d, [1, 0, 28]));
    }

    [Fact]
    public void Save_writes_the_model_atomically_and_a_failed_export_leaves_the_old_file()
    {
        var backend = new CpuBackend(threads: 1);
        using var folder = new TempFolder();
        string path = folder.File("d.onnx");
        using Network d = DcganModels.Discriminator(4);
        d.To(backend, new RandomSource(1));

        OnnxExporter.Save(d, [1, 28, 28], path);
        byte[] first = File.ReadAllBytes(path);
        Assert.Equal(OnnxExporter.Export(d, [1, 28, 28]), first);
        Assert.ThrowsAny<ArgumentException>(() => OnnxExporter.Save(d, [2, 28, 28], path));
        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal(["d.onnx"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    /// <summary>Runs the exported model and our forward (evaluation mode) on the same random inputs and compares.</summary>
    private void CheckAgainstRuntime(Module network, IBackend backend, byte[] onnx, int[] sample, int[] batchSizes)
    {
        network.Eval();
        using var session = new InferenceSession(onnx);
        string inputName = session.InputMetadata.Keys.Single();
        var random = new RandomSource(11);
        foreach (int n in batchSizes)
        {
            int[] shape = [n, .. sample];
            var x = new float[shape.Aggregate(1, (a, b) => a * b)];
            random.FillNormal(x);
            using Tensor input = backend.Allocate(new TensorShape(shape));
            input.CopyFrom(x);
            float[] ours = network.Forward(input).ToArray();

            using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(x, shape))]);
            DenseTensor<float> theirs = (DenseTensor<float>)results.Single().AsTensor<float>();
            Assert.Equal(network.Forward(input).Shape.ToArray(), theirs.Dimensions.ToArray());

            // Relative to the output's scale: a per-element ratio is meaningless where an output crosses zero.
            double scale = ours.Max(v => Math.Abs((double)v));
            double worst = Compare.Close($"batch {n}", theirs.Buffer.ToArray().Select(v => (double)v).ToArray(), ours, Tolerance, Tolerance * scale);
            double worstAbs = ours.Zip(theirs.Buffer.ToArray()).Max(p => Math.Abs((double)p.First - p.Second));
            output.WriteLine($"batch {n}: input [{string.Join(", ", shape)}] → output [{string.Join(", ", theirs.Dimensions.ToArray())}], max |ours − ORT| {worstAbs:E2}, relative to max |output| {scale:G4}: {worstAbs / scale:E2} (elementwise worst {worst:E2})");
        }
    }

    /// <summary>Gives every BatchNorm random gamma, beta and running statistics, so an exporter that ignores any of them fails.</summary>
    private static void RandomizeBatchNorm(Module network, RandomSource random)
    {
        foreach (BatchNorm bn in network.Modules().OfType<BatchNorm>())
        {
            var values = new float[bn.NumFeatures];
            random.FillNormal(values);
            bn.RunningMean.CopyFrom(values.Select(v => v * 0.5f).ToArray());
            random.FillNormal(values);
            bn.RunningVar.CopyFrom(values.Select(v => 0.5f + Math.Abs(v)).ToArray());
            random.FillNormal(values);
            bn.Weight.Data.CopyFrom(values.Select(v => 1f + (0.3f * v)).ToArray());
            random.FillNormal(values);
            bn.Bias.Data.CopyFrom(values.Select(v => 0.2f * v).ToArray());
        }
    }

    /// <summary>A layer the exporter does not know (what it computes does not matter here).</summary>
    private sealed class Square : Module
    {
        public override Tensor Forward(Tensor input) => input;

        public override Tensor Backward(Tensor gradOutput) => gradOutput;
    }
}
