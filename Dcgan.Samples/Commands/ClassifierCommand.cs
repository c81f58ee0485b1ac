// `dcgan classifier train`: trains the feature network of `dcgan eval` (Quality/MnistClassifier) with Dcgan's own
// CrossEntropyLoss and Adam, holds out every fifth block of ten training images, and writes the weights with how they were made.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Dcgan.Backends;
using Dcgan.Data;
using Dcgan.Gpu;
using Dcgan.Samples.Data;
using Dcgan.Samples.Quality;

public static class ClassifierCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mnist or fashion-mnist.", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong("mnist", "fashion-mnist");
        var data = new Option<string?>("--data") { Description = "Folder with the IDX training files; default as dcgan train (the cache, then for MNIST the embedded 10,000-digit sample)." };
        var epochs = new Option<int>("--epochs") { Description = "Number of epochs.", DefaultValueFactory = _ => 20 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per batch.", DefaultValueFactory = _ => 64 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initialisation, shuffling and shifts.", DefaultValueFactory = _ => 1UL };
        var output = new Option<string?>("--out") { Description = "Weights file to write (default classifier-<dataset>.safetensors; an existing file only with --force)." };
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = Devices.Help, DefaultValueFactory = _ => "cpu" };
        var train = new Command("train", "Train the classifier whose features dcgan eval compares; every fifth block of ten consecutive training images (index / 10 mod 5 = 4) is held out and the accuracy on those is printed.")
        {
            dataset, data, epochs, batchSize, seed, output, force, threads, device,
        };
        train.SetAction(r => Train(r.GetValue(dataset)!, r.GetValue(data), r.GetValue(epochs), r.GetValue(batchSize), r.GetValue(seed), r.GetValue(output), r.GetValue(force), r.GetValue(threads), r.GetValue(device)!));
        return new Command("classifier", "The digit (or Fashion-MNIST) classifier behind dcgan eval.") { train };
    }

    public static int Train(string dataset, string? data, int epochs, int batchSize, ulong seed, string? outFile, bool force, int threads, string device)
    {
        try
        {
            outFile ??= $"classifier-{dataset}.safetensors";
            if (!force && (File.Exists(outFile) || Directory.Exists(outFile)))
            {
                throw new ArgumentException($"--out {outFile} exists; pass --force to overwrite it.");
            }

            if (epochs < 1)
            {
                throw new ArgumentException($"--epochs is {epochs}; it must be >= 1.");
            }

            if (batchSize < 2)
            {
                throw new ArgumentException($"--batch-size is {batchSize}; it must be >= 2 (BatchNorm needs two samples).");
            }

            MnistDataset d = LoadLabelled(dataset, data, Console.WriteLine);
            (int[] trainSet, int[] heldOut) = MnistClassifier.Split(d.Count);
            if (trainSet.Length < batchSize || heldOut.Length < 1)
            {
                throw new ArgumentException($"the data has {d.Count} images; after holding out a fifth the classifier needs at least one batch of {batchSize}.");
            }

            float[] images = d.Images;
            using IBackend backend = Devices.Create(device, threads);
            using var classifier = new MnistClassifier(backend, seed);
            Console.WriteLine($"Training the classifier ({classifier.ParameterCount:N0} parameters) on {trainSet.Length:N0} images, holding out {heldOut.Length:N0} (every fifth block of ten); {epochs} epochs, batch {batchSize}, seed {seed}, device {backend.Name}");
            var clock = Stopwatch.StartNew();
            classifier.Train(images, d.Labels, trainSet, epochs, batchSize, seed, (epoch, loss) =>
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}: mean loss {loss:F4} ({clock.Elapsed.TotalSeconds:F0} s)")));
            double accuracy = classifier.Accuracy(MnistClassifier.Gather(images, heldOut), heldOut.Select(i => d.Labels[i]).ToArray(), heldOut.Length);
            string command = $"dcgan classifier train --dataset {dataset}{(data is null ? string.Empty : " --data DIR")} --epochs {epochs} --batch-size {batchSize} --seed {seed}";
            classifier.Save(outFile, MnistClassifier.Metadata(dataset, command, seed, accuracy, heldOut.Length));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Held-out accuracy {accuracy:P2} on {heldOut.Length:N0} images of {d.Source} (every fifth block of ten); trained in {clock.Elapsed.TotalSeconds:F0} s; wrote {outFile} ({new FileInfo(outFile).Length / 1024.0:F0} KiB)"));
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or CudaUnavailableException)
        {
            Terminal.ErrorOutput.Failure(e, "classifier train");
            return TrainRunner.ExitBadInput;
        }
    }

    /// <summary>The training images with labels, found as dcgan train finds them (no download).</summary>
    internal static MnistDataset LoadLabelled(string dataset, string? data, Action<string> message)
    {
        DatasetResolution r = DatasetResolver.ResolveAsync(new DatasetRequest
        {
            Dataset = DatasetInfo.Parse(dataset),
            DataDirectory = data,
            AllowDownload = false,
        }).GetAwaiter().GetResult();
        message(r.Message);
        return r.Dataset;
    }
}
