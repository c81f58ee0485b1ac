// `dcgan generate`: a grid of new samples from a checkpoint's generator.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using Dcgan.Backends;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tensors;

public static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by dcgan train." };
        var weights = new Option<string>("--weights") { Description = "Instead of --checkpoint: a generator state_dict saved from PyTorch as .safetensors (keys main.0.weight ..., optionally under G. or module.); needs --arch." };
        var arch = new Option<string>("--arch") { Description = $"The architecture of --weights: {string.Join(", ", Architectures.All)}." };
        arch.AcceptOnlyFromAmong(Architectures.All);
        var count = new Option<int>("--count") { Description = "Number of samples.", DefaultValueFactory = _ => 64 };
        var output = new Option<string>("--out") { Description = "PNG file to write (.png; an existing file only with --force).", DefaultValueFactory = _ => "samples.png" };
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the noise.", DefaultValueFactory = _ => 0UL };
        var sampleMode = new Option<string>("--sample-mode") { Description = "BatchNorm statistics: eval (running, default) or train (the batch's own).", DefaultValueFactory = _ => "eval" };
        sampleMode.AcceptOnlyFromAmong("eval", "train");
        var device = new Option<string>("--device") { Description = Devices.Help, DefaultValueFactory = _ => "cpu" };
        var classChoice = new Option<string?>("--class") { Description = "For a conditional checkpoint: the class to draw (0 to classes − 1), or 'all' for one row per class with the same noise in each of 10 columns (--count is then ignored). Without it, the labels cycle through the classes." };
        var command = new Command("generate", "Write a grid of samples from a checkpoint's generator.") { checkpoint, weights, arch, count, output, force, seed, sampleMode, device, classChoice };
        command.SetAction(r => Run(r.GetValue(checkpoint), r.GetValue(count), r.GetValue(output)!, r.GetValue(seed), r.GetValue(sampleMode)!, r.GetValue(device)!, r.GetValue(force), r.GetValue(weights), r.GetValue(arch), r.GetValue(classChoice)));
        return command;
    }

    public static int Run(string? checkpoint, int count, string outFile, ulong seed, string sampleMode, string device, bool force = false, string? weights = null, string? arch = null, string? classChoice = null)
    {
        try
        {
            if ((checkpoint is null) == (weights is null) || (weights is null) != (arch is null))
            {
                throw new ArgumentException("Give either --checkpoint (a dcgan checkpoint) or --weights with --arch (a PyTorch generator state_dict).");
            }

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

            (TrainOptions o, IReadOnlyDictionary<string, SafeTensorEntry>? stateDict) = weights is null ? (TrainRunner.ReadConfig(checkpoint!), null) : PyTorchWeights.Read(weights, arch!);
            using IBackend backend = Devices.Create(device, 0);
            using GanModel model = Presets.Build(o, backend, new RandomSource(0));
            if (stateDict is null)
            {
                Checkpoint.Load(checkpoint!, [new CheckpointPart("G", model.Generator)]);
            }
            else
            {
                PyTorchWeights.Load(stateDict, model.Generator, weights!);
            }
            (int[]? labels, int? columns) = Labels(o, classChoice, ref count, checkpoint ?? weights!);
            var noise = new float[count * o.Nz];
            var random = new RandomSource(seed);
            if (columns is int c)
            {
                // The class grid: one noise vector per column, the same down every class row.
                float[] columnNoise = new float[c * o.Nz];
                random.FillNormal(columnNoise);
                for (int i = 0; i < count; i++)
                {
                    columnNoise.AsSpan((i % c) * o.Nz, o.Nz).CopyTo(noise.AsSpan(i * o.Nz));
                }
            }
            else
            {
                random.FillNormal(noise);
            }

            (float[] input, TensorShape shape) = model.GeneratorInput(noise, count, labels);
            float[] images = Trainer.Sample(model.Generator, backend, input, shape, sampleMode);
            ImageGeometry g = model.Geometry;
            Output.ImageGrid.WritePng(outFile, images, count, g.Channels, g.Height, g.Width, RunArtifacts.GridOptions(g) with { Columns = columns });
            string what = classChoice is null || labels is null ? string.Empty : classChoice == "all" ? $" ({o.NumClasses} classes × {columns})" : $" of class {labels[0]}";
            Console.WriteLine($"Wrote {count} samples{what} to {outFile}");
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or CudaUnavailableException)
        {
            Terminal.ErrorOutput.Failure(e, "generate");
            return TrainRunner.ExitBadInput;
        }
    }

    /// <summary>The labels of the samples (null for an unconditional model) and the grid's columns for --class all.</summary>
    private static (int[]? Labels, int? Columns) Labels(TrainOptions o, string? choice, ref int count, string source)
    {
        if (!o.Conditional)
        {
            if (choice is not null)
            {
                throw new ArgumentException($"--class {choice}: {source} holds an unconditional model; it cannot be asked for a class (train with --conditional for that).");
            }

            return (null, null);
        }

        if (choice is null)
        {
            int n = count;
            return (Enumerable.Range(0, n).Select(i => i % o.NumClasses).ToArray(), null);
        }

        if (choice == "all")
        {
            count = o.NumClasses * Trainer.ConditionalColumns;
            return (Enumerable.Range(0, count).Select(i => i / Trainer.ConditionalColumns).ToArray(), Trainer.ConditionalColumns);
        }

        if (!int.TryParse(choice, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int label) || label >= o.NumClasses)
        {
            throw new ArgumentException($"--class is '{choice}'; {source} knows classes 0 to {o.NumClasses - 1}, or 'all'.");
        }

        return (Enumerable.Repeat(label, count).ToArray(), null);
    }
}
