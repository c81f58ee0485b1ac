// `dcgan eval`: generates samples from a checkpoint and measures them with the shipped classifier (Quality/): a
// classifier-feature Fréchet distance (not Inception FID), a classifier score, the class shares, and a real-vs-real baseline.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dcgan.Backends;
using Dcgan.Data;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Samples.Quality;
using Dcgan.Samples.Training;
using Dcgan.Serialization;

public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by dcgan train.", Required = true };
        var count = new Option<int>("--count") { Description = "Number of samples to generate and measure.", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the noise.", DefaultValueFactory = _ => 0UL };
        var json = new Option<bool>("--json") { Description = "Also print the results as one JSON object on the last line." };
        var classifier = new Option<string?>("--classifier") { Description = "Classifier weights from dcgan classifier train (default: the one shipped for the checkpoint's dataset)." };
        var data = new Option<string?>("--data") { Description = "Folder with the real training images (default: where the checkpoint's run found them)." };
        var sampleMode = new Option<string>("--sample-mode") { Description = "BatchNorm statistics of the generator: eval (running, default) or train (each batch's own).", DefaultValueFactory = _ => "eval" };
        sampleMode.AcceptOnlyFromAmong("eval", "train");
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = Devices.Help, DefaultValueFactory = _ => "cpu" };
        var command = new Command("eval", "Measure a checkpoint's samples: a Fréchet distance on the features of a small MNIST classifier (not Inception FID; not comparable with published FIDs), a classifier score, and each class's share.")
        {
            checkpoint, count, seed, json, classifier, data, sampleMode, threads, device,
        };
        command.SetAction(r => Run(r.GetValue(checkpoint)!, r.GetValue(count), r.GetValue(seed), r.GetValue(json), r.GetValue(classifier), r.GetValue(data), r.GetValue(sampleMode)!, r.GetValue(threads), r.GetValue(device)!));
        return command;
    }

    public static int Run(string checkpoint, int count, ulong seed, bool json, string? classifierFile, string? data, string sampleMode, int threads, string device)
    {
        try
        {
            if (count < 2 || count > 1_000_000)
            {
                throw new ArgumentException($"--count is {count}; it must be in [2, 1000000] (the covariance needs two samples).");
            }

            if (!File.Exists(checkpoint))
            {
                throw new FileNotFoundException($"--checkpoint {checkpoint} does not exist.");
            }

            var clock = Stopwatch.StartNew();
            TrainOptions o = TrainRunner.ReadConfig(checkpoint);
            if (!DataDefaults.IsIdx(o.Dataset))
            {
                // The classifier reads 28×28 grey digits or clothes; a folder or CIFAR-10 run has no classifier to measure with.
                throw new ArgumentException($"{checkpoint} was trained on {o.Dataset} images ({o.ResolvedChannels}×{o.ResolvedImageSize}×{o.ResolvedImageSize}); 'dcgan eval' measures quality with a classifier of 28×28 grey MNIST or Fashion-MNIST images, so it has nothing to measure these with.");
            }

            using IBackend backend = Devices.Create(device, threads);
            using MnistClassifier c = classifierFile is null
                ? MnistClassifier.LoadEmbedded(o.Dataset, backend)
                    ?? throw new ArgumentException($"no classifier is shipped for {o.Dataset}; train one with 'dcgan classifier train --dataset {o.Dataset} --data DIR' and pass it with --classifier.")
                : MnistClassifier.LoadFile(classifierFile, backend);
            MnistDataset real = ClassifierCommand.LoadLabelled(o.Dataset, data ?? o.Data, m => Console.WriteLine(m));
            // A conditional generator draws the classes in turn, so each has count / classes samples and its accuracy is measured.
            int[]? labels = o.Conditional ? Enumerable.Range(0, count).Select(i => i % o.NumClasses).ToArray() : null;
            if (o.Conditional && o.NumClasses != MnistClassifier.Classes)
            {
                throw new ArgumentException($"{checkpoint} is a {o.NumClasses}-class conditional model; the classifier knows {MnistClassifier.Classes} classes.");
            }

            float[] samples = Generate(checkpoint, o, backend, count, seed, sampleMode, labels);
            (double[] realFeatures, _) = c.Run(real.Images, real.Count);
            QualityReport q = QualityReport.Measure(c, samples, count, realFeatures, real.Count, labels);
            Print(q, checkpoint, o.Dataset, seed, clock.Elapsed.TotalSeconds);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    checkpoint,
                    dataset = o.Dataset,
                    samples = q.Samples,
                    seed,
                    real_images = q.RealImages,
                    frechet_distance = q.Distance,
                    real_vs_real = q.RealBaseline,
                    classifier_score = q.Score,
                    lowest_class = q.Lowest.Class,
                    lowest_share = q.Lowest.Share,
                    highest_class = q.Highest.Class,
                    highest_share = q.Highest.Share,
                    class_shares = q.ClassShares,
                    class_accuracy = q.OverallAccuracy,
                    class_accuracy_per_class = q.ClassAccuracy,
                }));
            }

            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or CudaUnavailableException)
        {
            Terminal.ErrorOutput.Failure(e, "eval");
            return TrainRunner.ExitBadInput;
        }
    }

    /// <summary>count samples from the checkpoint's generator, in batches, from noise drawn with <paramref name="seed"/>.</summary>
    private static float[] Generate(string checkpoint, TrainOptions o, IBackend backend, int count, ulong seed, string sampleMode, int[]? labels)
    {
        using GanModel model = Presets.Build(o, backend, new RandomSource(0));
        Checkpoint.Load(checkpoint, [new CheckpointPart("G", model.Generator)]);
        if (model.Geometry != ImageGeometry.Mnist)
        {
            throw new InvalidDataException($"{checkpoint}: the generator makes {model.Geometry} images; the classifier reads 1×28×28.");
        }

        return Trainer.SampleMany(model, backend, count, seed, sampleMode, labels);
    }

    private static void Print(QualityReport q, string checkpoint, string dataset, ulong seed, double seconds)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{q.Samples:N0} samples of {checkpoint} (seed {seed}) against {q.RealImages:N0} real {dataset} images, measured by the shipped {dataset} classifier ({seconds:F0} s):"));
        Console.WriteLine(string.Create(inv, $"  Fréchet distance on classifier features: {q.Distance:F3}   (real vs real, two halves: {q.RealBaseline:F3}; lower is better; not Inception FID)"));
        Console.WriteLine(string.Create(inv, $"  classifier score: {q.Score:F3} of at most 10   (higher: confident and varied)"));
        Console.WriteLine(string.Create(inv, $"  class shares: lowest {q.Lowest.Class} {q.Lowest.Share:P1}, highest {q.Highest.Class} {q.Highest.Share:P1}   (10.0 % each when balanced)"));
        Console.WriteLine("  " + string.Join("  ", q.ClassShares.Select((s, c) => string.Create(inv, $"{c}: {s:P1}"))));
        if (q.ClassAccuracy is { } perClass)
        {
            Console.WriteLine(string.Create(inv, $"  class accuracy (conditional: samples drawn for class c that the classifier reads as c): {q.OverallAccuracy:P1} overall"));
            Console.WriteLine("  " + string.Join("  ", perClass.Select((a, c) => string.Create(inv, $"{c}: {a:P1}"))));
        }
    }
}
