// `dcgan export`: every preset's G and D from a checkpoint, run in ONNX Runtime against our forward pass;
// refusing to overwrite, a wrong file name and a bad checkpoint are one-line errors with exit code 2.
namespace Dcgan.Tests.Onnx;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Modules;
using Dcgan.Samples.Commands;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tests.Samples;
using Dcgan.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = Dcgan.Tensors.Tensor;

public sealed class ExportCommandTests(ITestOutputHelper output)
{
    /// <summary>A checkpoint as dcgan train writes it (G, D, the config), with random BatchNorm statistics.</summary>
    internal static string WriteCheckpoint(TempFolder folder, string arch, ulong seed = 2)
    {
        var o = new TrainOptions { Arch = arch, Ngf = 8, Ndf = 8, Nz = 16 };
        using GanModel model = Presets.Build(o, new CpuBackend(threads: 1), new RandomSource(seed));
        var random = new RandomSource(seed + 100);
        foreach (BatchNorm bn in model.Generator.Modules().Concat(model.Discriminator.Modules()).OfType<BatchNorm>())
        {
            var values = new float[bn.NumFeatures];
            random.FillNormal(values);
            bn.RunningMean.CopyFrom(values.Select(v => 0.3f * v).ToArray());
            random.FillNormal(values);
            bn.RunningVar.CopyFrom(values.Select(v => 0.5f + Math.Abs(v)).ToArray());
        }

        string path = folder.File($"{arch}.safetensors");
        Checkpoint.Save(path, [new CheckpointPart("G", model.Generator), new CheckpointPart("D", model.Discriminator)], new Dictionary<string, string> { ["config"] = o.ToJson() });
        return path;
    }

    [Theory]
    [InlineData(Architectures.Dcgan, "G")]
    [InlineData(Architectures.Dcgan, "D")]
    [InlineData(Architectures.TfTutorial, "G")]
    [InlineData(Architectures.TfTutorial, "D")]
    public void Export_writes_a_model_that_onnx_runtime_runs_like_the_checkpoint(string arch, string which)
    {
        using var folder = new TempFolder();
        string checkpoint = WriteCheckpoint(folder, arch);
        string onnx = folder.File($"{which}.onnx");
        Assert.Equal(0, ExportCommand.Run(checkpoint, onnx, which));

        // The reference: the same preset restored from the checkpoint, in evaluation mode.
        var backend = new CpuBackend(threads: 1);
        using GanModel model = Presets.Build(TrainRunner.ReadConfig(checkpoint), backend, new RandomSource(0));
        Network network = which == "G" ? model.Generator : model.Discriminator;
        Checkpoint.Load(checkpoint, [new CheckpointPart(which, network)]);
        network.Eval();
        int[] shape = which == "G" ? model.NoiseShape(3).ToArray() : [3, 1, 28, 28];
        var x = new float[shape.Aggregate(1, (a, b) => a * b)];
        new RandomSource(9).FillNormal(x);
        using Tensor input = backend.Allocate(new Dcgan.Tensors.TensorShape(shape));
        input.CopyFrom(x);
        float[] ours = network.Forward(input).ToArray();

        using var session = new InferenceSession(onnx);
        string inputName = which == "G" ? "z" : "image";
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(x, shape))]);
        float[] theirs = results.Single().AsEnumerable<float>().ToArray();
        double scale = ours.Max(v => Math.Abs((double)v));
        double worst = ours.Zip(theirs).Max(p => Math.Abs((double)p.First - p.Second)) / scale;
        output.WriteLine($"{arch} {which}: {new FileInfo(onnx).Length:N0} bytes, max |ours − ORT| / max |output| = {worst:E2}");
        Assert.Equal(ours.Length, theirs.Length);
        Assert.True(worst <= 1e-5, $"relative error {worst:E2} > 1e-5");
    }

    [Fact]
    public void Export_refuses_to_overwrite_and_names_bad_input_in_one_line()
    {
        using var folder = new TempFolder();
        string checkpoint = WriteCheckpoint(folder, Architectures.Dcgan);
        string onnx = folder.File("g.onnx");
        File.WriteAllText(onnx, "keep me");

        var refused = CommandLineTests.Dcgan($"export --checkpoint \"{checkpoint}\" --out \"{onnx}\"");
        output.WriteLine(refused.Err);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("--force", refused.Err, StringComparison.Ordinal);
        string[] lines = refused.Err.Trim().Split('\n');
        Assert.Equal(2, lines.Length); // the error, then the usage hint
        Assert.Equal("See 'dcgan export --help'.", lines[1].Trim());
        Assert.Equal("keep me", File.ReadAllText(onnx));

        var forced = CommandLineTests.Dcgan($"export --checkpoint \"{checkpoint}\" --out \"{onnx}\" --network D --force");
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.Contains("input 'image' [N, 1, 28, 28] -> output 'logit' [N, 1, 1, 1]", forced.Out, StringComparison.Ordinal);
        Assert.NotEqual("keep me", File.ReadAllText(onnx));

        string png = folder.File("g.png");
        var wrongName = CommandLineTests.Dcgan($"export --checkpoint \"{checkpoint}\" --out \"{png}\"");
        Assert.Equal(2, wrongName.Exit);
        Assert.Contains(".onnx", wrongName.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(png));

        string notCheckpoint = folder.Write("junk.safetensors", [1, 2, 3]);
        var bad = CommandLineTests.Dcgan($"export --checkpoint \"{notCheckpoint}\" --out \"{folder.File("x.onnx")}\"");
        output.WriteLine(bad.Err);
        Assert.Equal(2, bad.Exit);
        Assert.Single(bad.Err.Trim().Split('\n'));
        Assert.Contains("junk.safetensors", bad.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", bad.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("x.onnx")));
    }
}
