// `dcgan generate`: a grid of new samples from a checkpoint's generator.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using Dcgan.Backends;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Samples.Training;
using Dcgan.Serialization;

public static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by dcgan train.", Required = true };
        var count = new Option<int>("--count") { Description = "Number of samples.", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out") { Description = "PNG file to write (.png; an existing file only with --force).", DefaultValueFactory = _ => "samples.png" };
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the noise.", DefaultValueFactory = _ => 0UL };
        var sampleMode = new Option<string>("--sample-mode") { Description = "BatchNorm statistics: eval (running, default) or train (the batch's own).", DefaultValueFactory = _ => "eval" };
        sampleMode.AcceptOnlyFromAmong("eval", "train");
        var device = new Option<string>("--device") { Description = Devices.Help, DefaultValueFactory = _ => "cpu" };
        var command = new Command("generate", "Write a grid of samples from a checkpoint's generator.") { checkpoint, count, output, force, seed, sampleMode, device };
        command.SetAction(r => Run(r.GetValue(checkpoint)!, r.GetValue(count), r.GetValue(output)!, r.GetValue(seed), r.GetValue(sampleMode)!, r.GetValue(device)!, r.GetValue(force)));
        return command;
    }

    public static int Run(string checkpoint, int count, string outFile, ulong seed, string sampleMode, string device, bool force = false)
    {
        try
        {
            // Checked before any work: the file is PNG bytes, so its name must say so, and nothing is overwritten unasked.
            if (!string.Equals(Path.GetExtension(outFile), ".png", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"--out {outFile}: dcgan generate writes PNG images; name the file .png.");
            }

            if (!force && (File.Exists(outFile) || Directory.Exists(outFile)))
            {
                throw new ArgumentException($"--out {outFile} exists; pass --force to overwrite it.");
            }

            OutputFolder.CheckCanHold(Path.GetDirectoryName(Path.GetFullPath(outFile))!, "--out", outFile);
            if (count < 1 || count > 4096)
            {
                throw new ArgumentException($"--count is {count}; it must be in [1, 4096].");
            }

            if (sampleMode == "train" && count < 2)
            {
                throw new ArgumentException("--sample-mode train needs --count >= 2 (BatchNorm needs two samples).");
            }

            TrainOptions o = TrainRunner.ReadConfig(checkpoint);
            using IBackend backend = Devices.Create(device, 0);
            using GanModel model = Presets.Build(o, backend, new RandomSource(0));
            Checkpoint.Load(checkpoint, [new CheckpointPart("G", model.Generator)]);
            var noise = new float[count * o.Nz];
            new RandomSource(seed).FillNormal(noise);
            float[] images = Trainer.Sample(model.Generator, backend, noise, model.NoiseShape(count), sampleMode);
            new RunArtifacts().WriteGrid(outFile, images, count, o.ResolvedImageSize, o.ResolvedImageSize);
            Console.WriteLine($"Wrote {count} samples to {outFile}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or CudaUnavailableException)
        {
            Terminal.ErrorOutput.Failure(e, "generate");
            return TrainRunner.ExitBadInput;
        }
    }
}
