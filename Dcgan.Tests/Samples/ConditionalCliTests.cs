// The conditional DCGAN as a user drives it: train --conditional writes the class-by-row grid, generate --class draws a
// class or the whole grid, and every mismatched request is one line with exit code 2.
namespace Dcgan.Tests.Samples;

using System.Text.Json;
using Dcgan.Backends.Cpu;
using Dcgan.Models;
using Dcgan.Optimizers;
using Dcgan.Tensors;
using Dcgan.Tests.Support;
using Dcgan.Training;
using SkiaSharp;

public sealed class ConditionalCliTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_conditional_writes_a_class_by_row_grid_and_generate_draws_classes()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        var train = CommandLineTests.Dcgan($"train --conditional --epochs 1 --limit 256 --batch-size 32 --ngf 8 --ndf 8 --out \"{outDir}\"");
        Assert.True(train.Exit == 0, $"exit {train.Exit}\n{train.Out}\n{train.Err}");
        const int side = ((10 * (28 + 2)) + 2) * 2; // 10 columns of 28-pixel tiles with 2-pixel borders, scaled x2
        using (SKBitmap grid = SKBitmap.Decode(Path.Combine(outDir, "epoch_0001.png")))
        {
            Assert.Equal((side, side), (grid.Width, grid.Height));
        }

        using (JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))))
        {
            Assert.True(config.RootElement.GetProperty("conditional").GetBoolean());
            Assert.Equal(10, config.RootElement.GetProperty("num-classes").GetInt32());
        }

        string checkpoint = Path.Combine(outDir, "checkpoint.safetensors");

        // The epoch's quality row has the class accuracy, from the same samples eval draws (2,000, classes in turn, seed 0).
        var row = Assert.Single(Dcgan.Samples.Output.QualityCsv.Read(Path.Combine(outDir, Dcgan.Samples.Output.QualityCsv.FileName)));
        var eval = CommandLineTests.Dcgan($"eval --checkpoint \"{checkpoint}\" --count 2000 --json");
        Assert.True(eval.Exit == 0, eval.Err);
        using (JsonDocument json = JsonDocument.Parse(eval.Out.TrimEnd().Split('\n')[^1]))
        {
            Assert.NotNull(row.ClassAccuracy);
            Assert.Equal(json.RootElement.GetProperty("class_accuracy").GetDouble(), row.ClassAccuracy.Value);
        }
        var seven = CommandLineTests.Dcgan($"generate --checkpoint \"{checkpoint}\" --class 7 --count 16 --out \"{dir.File("seven.png")}\"");
        Assert.True(seven.Exit == 0, $"exit {seven.Exit}\n{seven.Err}");
        Assert.Contains("16 samples of class 7", seven.Out, StringComparison.Ordinal);
        var all = CommandLineTests.Dcgan($"generate --checkpoint \"{checkpoint}\" --class all --out \"{dir.File("all.png")}\"");
        Assert.True(all.Exit == 0, $"exit {all.Exit}\n{all.Err}");
        using (SKBitmap grid = SKBitmap.Decode(dir.File("all.png")))
        {
            Assert.Equal((side, side), (grid.Width, grid.Height));
        }

        var outOfRange = CommandLineTests.Dcgan($"generate --checkpoint \"{checkpoint}\" --class 12 --out \"{dir.File("x.png")}\"");
        Assert.Equal(2, outOfRange.Exit);
        Assert.Contains("knows classes 0 to 9", outOfRange.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void Mismatched_conditional_requests_are_one_line_and_exit_2()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("plain");
        var plain = CommandLineTests.Dcgan($"train --epochs 1 --limit 64 --batch-size 32 --ngf 4 --ndf 4 --out \"{outDir}\"");
        Assert.True(plain.Exit == 0, $"exit {plain.Exit}\n{plain.Err}");
        var asked = CommandLineTests.Dcgan($"generate --checkpoint \"{Path.Combine(outDir, "checkpoint.safetensors")}\" --class 3 --out \"{dir.File("x.png")}\"");
        Assert.Equal(2, asked.Exit);
        Assert.Contains("unconditional model", asked.Err, StringComparison.Ordinal);

        var tf = CommandLineTests.Dcgan("train --conditional --arch tf-tutorial --epochs 1 --limit 64 --batch-size 32");
        Assert.Equal(2, tf.Exit);
        Assert.Contains("--conditional works with --arch dcgan or dcgan64", tf.Err, StringComparison.Ordinal);
        output.WriteLine(asked.Err + tf.Err);
    }

    [Fact]
    public void Conditional_step_checks_its_labels_and_allocates_nothing_after_warm_up()
    {
        using var backend = new CpuBackend(2);
        Network g = DcganModels.Generator(4 + 3, 8, 4, imageSize: 16, channels: 1);
        Network d = DcganModels.Discriminator(4, imageSize: 16, channels: 1 + 3);
        g.To(backend, new Dcgan.Init.RandomSource(1));
        d.To(backend, new Dcgan.Init.RandomSource(2));
        using var optG = new Adam(g.Parameters(), 2e-4, 0.5);
        using var optD = new Adam(d.Parameters(), 2e-4, 0.5);
        using var step = new ConditionalGanStep(g, d, optG, optD, numClasses: 3);
        using Tensor real = backend.Allocate(new TensorShape(4, 1, 16, 16));
        using Tensor noise = backend.Allocate(new TensorShape(4, 4, 1, 1));
        Assert.Throws<InvalidOperationException>(() => step.Step(real, noise));
        Assert.Throws<ArgumentOutOfRangeException>(() => step.SetLabels([0, 1, 3, 2]));
        int[] labels = [0, 1, 2, 1];
        step.SetLabels(labels);
        step.Step(real, noise);
        step.Step(real, noise);
        long before = GC.GetAllocatedBytesForCurrentThread();
        step.SetLabels(labels);
        GanStepResult r = step.Step(real, noise);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(float.IsFinite(r.LossD) && float.IsFinite(r.LossG), $"losses {r.LossD}, {r.LossG}");
        Assert.True(allocated == 0, $"a warmed-up conditional step allocated {allocated} bytes");
        g.Dispose();
        d.Dispose();
    }
}
