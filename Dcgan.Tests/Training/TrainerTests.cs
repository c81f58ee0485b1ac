// The trainer's loop on synthetic images: exact resume, divergence guard, checkpoint round trip and
// atomicity, sampling that leaves BatchNorm statistics alone.
namespace Dcgan.Tests.Training;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Samples.Terminal;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dcgan-trainer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static TrainingImages Synthetic(int count, ulong seed = 7)
    {
        var pixels = new byte[count * 28 * 28];
        var r = new RandomSource(seed);
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)Math.Round(127.5 * (1 + Math.Tanh(r.Normal())));
        }

        return new TrainingImages(pixels, count, 1, 28, 28, "synthetic");
    }

    private static TrainOptions Tiny(string arch = Architectures.Dcgan, int epochs = 2) =>
        Serialization.CheckpointBytes.Tiny(arch) with { Epochs = epochs };

    private static float[] AllState(GanModel m) =>
        m.Generator.FlatParameters!.ToArray()
            .Concat(m.Discriminator.FlatParameters!.ToArray())
            .Concat(m.Generator.NamedBuffers().SelectMany(b => b.Buffer.ToArray()))
            .Concat(m.Discriminator.NamedBuffers().SelectMany(b => b.Buffer.ToArray()))
            .ToArray();

    [Theory]
    [InlineData(Architectures.Dcgan)]
    [InlineData(Architectures.TfTutorial)]
    public void Two_epochs_equal_one_plus_resume_plus_one_bit_for_bit(string arch)
    {
        TrainingImages data = Synthetic(24);
        float[] straight;
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(arch, 2), data, cpu, new SilentReporter(), null, Path.Combine(_dir, "a")))
        {
            Assert.Equal(TrainOutcome.Completed, t.Run(() => false));
            straight = AllState(t.Model);
        }

        string checkpoint = Path.Combine(_dir, "b", Trainer.CheckpointFile);
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(arch, 1), data, cpu, new SilentReporter(), null, Path.Combine(_dir, "b")))
        {
            t.Run(() => false);
            Assert.True(File.Exists(checkpoint));
        }

        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(arch, 2), data, cpu, new SilentReporter(), null, Path.Combine(_dir, "b")))
        {
            t.LoadCheckpoint(checkpoint);
            Assert.Equal(1, t.EpochsDone);
            t.Run(() => false);
            float[] resumed = AllState(t.Model);
            Assert.Equal(straight.Length, resumed.Length);
            int firstDiff = Enumerable.Range(0, straight.Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(straight[i]) != BitConverter.SingleToInt32Bits(resumed[i]), -1);
            Assert.True(firstDiff < 0, $"resumed state differs from the straight run at index {firstDiff}: {(firstDiff >= 0 ? straight[firstDiff] : 0)} vs {(firstDiff >= 0 ? resumed[firstDiff] : 0)}");
        }
    }

    [Fact]
    public void Interrupt_mid_epoch_then_resume_equals_straight_run()
    {
        TrainingImages data = Synthetic(24);
        float[] straight;
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(epochs: 2), data, cpu, new SilentReporter(), null, Path.Combine(_dir, "a")))
        {
            t.Run(() => false);
            straight = AllState(t.Model);
        }

        string outDir = Path.Combine(_dir, "b");
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(epochs: 2), data, cpu, new SilentReporter(), null, outDir))
        {
            int calls = 0;
            Assert.Equal(TrainOutcome.Interrupted, t.Run(() => ++calls >= 4));
        }

        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(epochs: 2), data, cpu, new SilentReporter(), null, outDir))
        {
            t.LoadCheckpoint(Path.Combine(outDir, Trainer.CheckpointFile));
            t.Run(() => false);
            Assert.Equal(straight, AllState(t.Model));
        }
    }

    [Fact]
    public void Latest_checkpoint_after_every_epoch_and_numbered_snapshots_that_resume_exactly()
    {
        TrainingImages data = Synthetic(24);
        string outDir = Path.Combine(_dir, "snap");
        float[] afterThree;
        string latest = Path.Combine(outDir, Trainer.CheckpointFile);
        string? latestDuringEpoch2 = null;
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(epochs: 3) with { CheckpointEvery = 2 }, data, cpu, new SilentReporter(), null, outDir))
        {
            // During epoch 2 the latest checkpoint must already hold epoch 1, although 1 is no multiple of 2.
            Assert.Equal(TrainOutcome.Completed, t.Run(() =>
            {
                if (t.EpochsDone == 1 && latestDuringEpoch2 is null)
                {
                    latestDuringEpoch2 = File.Exists(latest) ? SafeTensors.Read(latest).Metadata["epoch"] : "missing";
                }

                return false;
            }));
            afterThree = AllState(t.Model);
        }

        Assert.Equal("1", latestDuringEpoch2);
        Assert.Equal("3", SafeTensors.Read(Path.Combine(outDir, Trainer.CheckpointFile)).Metadata["epoch"]);
        Assert.Equal("2", SafeTensors.Read(Path.Combine(outDir, Trainer.SnapshotFile(2))).Metadata["epoch"]);
        Assert.False(File.Exists(Path.Combine(outDir, Trainer.SnapshotFile(1))));
        Assert.False(File.Exists(Path.Combine(outDir, Trainer.SnapshotFile(3))));

        // Resuming from the numbered snapshot and training epoch 3 again gives the same bits; the snapshot is kept as it was.
        byte[] snapshotBytes = File.ReadAllBytes(Path.Combine(outDir, Trainer.SnapshotFile(2)));
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(epochs: 3) with { CheckpointEvery = 2 }, data, cpu, new SilentReporter(), null, Path.Combine(_dir, "again")))
        {
            t.LoadCheckpoint(Path.Combine(outDir, Trainer.SnapshotFile(2)));
            Assert.Equal(TrainOutcome.Completed, t.Run(() => false));
            Assert.Equal(afterThree, AllState(t.Model));
        }

        Assert.Equal(snapshotBytes, File.ReadAllBytes(Path.Combine(outDir, Trainer.SnapshotFile(2))));
    }

    [Fact]
    public void Resume_keeps_the_interrupted_runs_epochs_unless_epochs_is_given()
    {
        string outDir = Path.Combine(_dir, "resume-epochs");
        using (var cpu = new CpuBackend(1))
        using (var t = new Trainer(Tiny(epochs: 3), Synthetic(24), cpu, new SilentReporter(), null, outDir))
        {
            Assert.Equal(TrainOutcome.Interrupted, t.Run(() => t.EpochsDone == 1));
        }

        string checkpoint = Path.Combine(outDir, Trainer.CheckpointFile);
        Assert.Equal(3, Dcgan.Samples.Commands.TrainRunner.ForResume(new TrainOptions { Given = new HashSet<string>() }, checkpoint).Epochs);
        Assert.Equal(7, Dcgan.Samples.Commands.TrainRunner.ForResume(new TrainOptions { Epochs = 7 }, checkpoint).Epochs);
        Assert.DoesNotContain("given", new TrainOptions { Given = new HashSet<string> { "epochs" } }.ToJson(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void NaN_loss_stops_with_epoch_and_step_and_keeps_the_last_checkpoint()
    {
        using var cpu = new CpuBackend(1);
        using var t = new Trainer(Tiny(), Synthetic(24), cpu, new SilentReporter(), null, _dir);
        // Images are bytes, so the NaN comes from D's first weight instead.
        Parameter weight = t.Model.Discriminator.Parameters().First();
        weight.Data.CopyFrom(Enumerable.Repeat(float.NaN, weight.Shape.ElementCount).ToArray());
        var e = Assert.Throws<TrainingDivergedException>(() => t.Run(() => false));
        Assert.Contains("epoch 1, step 1", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, Trainer.CheckpointFile)));
    }

    [Fact]
    public void Checkpoint_round_trip_restores_parameters_buffers_and_adam_state()
    {
        string path = Path.Combine(_dir, "c.safetensors");
        using var cpu = new CpuBackend(1);
        float[] saved, savedAdam;
        long savedStep, tracked;
        using (var t = new Trainer(Tiny(epochs: 1), Synthetic(24), cpu, new SilentReporter(), null, _dir))
        {
            t.Run(() => false);
            t.SaveCheckpoint(path);
            saved = AllState(t.Model);
            Parameter p = t.Model.Generator.Parameters().First();
            savedAdam = t.Model.OptimizerG.StateOf(p).ExpAvgSq.ToArray();
            savedStep = t.Model.OptimizerG.StepCount;
            tracked = t.Model.Discriminator.Modules().OfType<BatchNorm>().Single().NumBatchesTracked;
        }

        using var fresh = new Trainer(Tiny(epochs: 1), Synthetic(24), cpu, new SilentReporter(), null, _dir);
        Assert.NotEqual(saved, AllState(fresh.Model));
        fresh.LoadCheckpoint(path);
        Assert.Equal(saved, AllState(fresh.Model));
        Assert.Equal(savedAdam, fresh.Model.OptimizerG.StateOf(fresh.Model.Generator.Parameters().First()).ExpAvgSq.ToArray());
        Assert.Equal(savedStep, fresh.Model.OptimizerG.StepCount);
        Assert.Equal(tracked, fresh.Model.Discriminator.Modules().OfType<BatchNorm>().Single().NumBatchesTracked);
        Assert.True(tracked > 0);
    }

    [Fact]
    public void Checkpoint_keys_follow_PyTorch_state_dict_names()
    {
        string path = Path.Combine(_dir, "k.safetensors");
        using var cpu = new CpuBackend(1);
        using var t = new Trainer(Tiny(epochs: 1), Synthetic(24), cpu, new SilentReporter(), null, _dir);
        t.SaveCheckpoint(path);
        var (tensors, meta) = SafeTensors.Read(path);
        foreach (string key in new[] { "G.main.0.weight", "G.main.1.running_var", "G.main.1.num_batches_tracked", "D.main.3.running_mean", "D.main.5.weight", "optim.G.exp_avg.main.0.weight", "optim.D.step" })
        {
            Assert.True(tensors.ContainsKey(key), $"checkpoint lacks {key}; has {string.Join(", ", tensors.Keys)}");
        }

        Assert.Equal([6, 12, 7, 7], tensors["G.main.0.weight"].Shape);
        Assert.Equal("I64", tensors["G.main.1.num_batches_tracked"].DType);
        Assert.Contains("\"arch\"", meta["config"]);
    }

    [Fact]
    public void An_interrupted_write_leaves_the_previous_checkpoint_loadable()
    {
        string path = Path.Combine(_dir, "atomic.safetensors");
        using var cpu = new CpuBackend(1);
        using var t = new Trainer(Tiny(epochs: 1), Synthetic(24), cpu, new SilentReporter(), null, _dir);
        t.SaveCheckpoint(path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("simulated crash mid-write");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir, "*atomic*"));
        t.LoadCheckpoint(path);
    }

    [Fact]
    public void A_truncated_checkpoint_is_rejected_and_changes_nothing()
    {
        string path = Path.Combine(_dir, "t.safetensors");
        using var cpu = new CpuBackend(1);
        using var t = new Trainer(Tiny(epochs: 1), Synthetic(24), cpu, new SilentReporter(), null, _dir);
        t.SaveCheckpoint(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        float[] state = AllState(t.Model);
        var e = Assert.Throws<CheckpointFormatException>(() => t.LoadCheckpoint(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(state, AllState(t.Model));
    }

    [Theory]
    [InlineData("eval")]
    [InlineData("train")]
    public void Sampling_never_changes_running_statistics(string mode)
    {
        using var cpu = new CpuBackend(1);
        using var t = new Trainer(Tiny(epochs: 1), Synthetic(24), cpu, new SilentReporter(), null, _dir);
        t.Run(() => false);
        float[] before = AllState(t.Model);
        var noise = new float[16 * 6];
        new RandomSource(3).FillNormal(noise);
        float[] images = Trainer.Sample(t.Model.Generator, cpu, noise, t.Model.NoiseShape(16), mode);
        Assert.Equal(16 * 28 * 28, images.Length);
        Assert.All(images, v => Assert.InRange(v, -1f, 1f));
        Assert.Equal(before, AllState(t.Model));
        Assert.True(t.Model.Generator.IsTraining);
    }

    [Fact]
    public void First_discriminator_loss_is_near_2_ln_2()
    {
        using var cpu = new CpuBackend();
        var reporter = new SilentReporter();
        using var t = new Trainer(Tiny(epochs: 1) with { Threads = 0 }, Synthetic(24), cpu, reporter, null, _dir);
        t.Run(() => false);
        Assert.InRange(t.Rows[0].LossD, (2 * Math.Log(2)) - 0.1, (2 * Math.Log(2)) + 0.1);
    }

    internal sealed class SilentReporter : ITrainingReporter
    {
        public List<string> Messages { get; } = [];

        public void StartEpoch(int epoch, int totalSteps)
        {
        }

        public void Step(int stepIndex, double imagesPerSecond, double lossD, double lossG, double dX, double dGz1, double dGz2)
        {
        }

        public void EndEpoch(double seconds)
        {
        }

        public void Message(string text) => Messages.Add(text);

        public void Dispose()
        {
        }
    }
}
