// `dcgan train`: the flags of pytorch/examples' dcgan/main.py in kebab case, plus run management.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using Dcgan.Samples.Data;
using Dcgan.Samples.Training;

public static class TrainCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = $"Architecture preset (default {Architectures.Dcgan}): {string.Join("; ", Presets.All.Select(p => $"{p.Name}: {p.Description}"))}.", DefaultValueFactory = _ => Architectures.Dcgan };
        arch.AcceptOnlyFromAmong(Architectures.All);
        var epochs = new Option<int>("--epochs") { Description = "Number of epochs.", DefaultValueFactory = _ => 5 };
        var batchSize = new Option<int?>("--batch-size") { Description = $"Images per batch (default: {Presets.Defaults(p => p.BatchSize)}). The last partial batch of an epoch is dropped (drop_last)." };
        var lr = new Option<double?>("--lr") { Description = $"Adam learning rate (default: {Presets.Defaults(p => p.Lr.ToString(System.Globalization.CultureInfo.InvariantCulture))})." };
        var beta1 = new Option<double?>("--beta1") { Description = $"Adam beta1 (default: {Presets.Defaults(p => p.Beta1.ToString(System.Globalization.CultureInfo.InvariantCulture))})." };
        var nz = new Option<int>("--nz") { Description = "Size of the latent vector z.", DefaultValueFactory = _ => 100 };
        var ngf = new Option<int>("--ngf") { Description = $"Generator width ({string.Join("; ", Presets.All.Select(p => $"{p.Name}: {p.Widths.Split("; ")[0]}"))}).", DefaultValueFactory = _ => 64 };
        var ndf = new Option<int>("--ndf") { Description = $"Discriminator width ({string.Join("; ", Presets.All.Select(p => $"{p.Name}: {p.Widths.Split("; ")[1]}"))}).", DefaultValueFactory = _ => 64 };
        var dropout = new Option<float?>("--dropout") { Description = $"Dropout in D (default: {Presets.Defaults(p => p.Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture))})." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random stream (init, noise, shuffling, dropout).", DefaultValueFactory = _ => 1UL };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N images." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all cores). Results are bit-identical for any value.", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = Devices.Help, DefaultValueFactory = _ => "cpu" };
        var outDir = new Option<string?>("--out") { Description = "Output folder (default runs/<timestamp>; with --resume, the checkpoint's folder)." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Keep a numbered snapshot (checkpoint_epoch_NNNN.safetensors, never overwritten) every N epochs; checkpoint.safetensors is rewritten atomically after every epoch. --resume takes either.", DefaultValueFactory = _ => 15 };
        var resume = new Option<string?>("--resume") { Description = "Continue from a checkpoint (architecture, sizes, seed and data settings come from it; so does --epochs unless given)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Run one batch per epoch to check the set-up." };
        var sampleMode = new Option<string>("--sample-mode") { Description = "BatchNorm statistics for the epoch grids: eval (running statistics, default) or train (the sample batch's own); sampling never changes the running statistics.", DefaultValueFactory = _ => "eval" };
        sampleMode.AcceptOnlyFromAmong("eval", "train");
        var dataset = new Option<string>("--dataset") { Description = "mnist, fashion-mnist, folder (every image under --data, recursively: PNG, JPEG, BMP, WebP, GIF) or cifar10 (CIFAR-10's binary version in --data).", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong(DataDefaults.All);
        var data = new Option<string?>("--data") { Description = "mnist/fashion-mnist: folder with the IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]); default: the cache folder $DCGAN_DATA/mnist (or ~/.cache/dcgan/mnist; fashion-mnist likewise), filled by --download, else the embedded 10,000-digit sample. folder: the folder of images (decoded once, then read from the cache in $DCGAN_DATA/folder-cache). cifar10: the folder with data_batch_1.bin … data_batch_5.bin." };
        var imageSize = new Option<int?>("--image-size") { Description = "Image side S: the shorter side is resized to S and the centre S×S kept, as torchvision's Resize(S) + CenterCrop(S) (default 64 for folder, 32 for cifar10; MNIST's IDX images are 28)." };
        var channels = new Option<int?>("--channels") { Description = "1 (grey) or 3 (RGB; default for folder and cifar10; MNIST is 1)." };
        var background = new Option<string>("--background") { Description = "--dataset folder: what transparent pixels become: none (alpha dropped, the colour under them kept, as torchvision's ImageFolder), white, black or #RRGGBB (each image composited over that colour before the grey/RGB conversion and the resize; for icons, sprites and logos).", DefaultValueFactory = _ => ImageBackground.None };
        var download = new Option<bool>("--download") { Description = "Download the full dataset into the cache folder when it is missing; a failed download is an error (exit 2), never a switch to the embedded sample." };
        var force = new Option<bool>("--force") { Description = "Start a new run in an --out folder that already holds one (its checkpoint, config.json, losses, quality files, grids and progress.gif are removed first); without it such a folder is refused, so two runs never mix." };
        var allowDataChange = new Option<bool>("--allow-data-change") { Description = "With --resume: continue even when the images found now are not the ones the checkpoint was trained on (by count and SHA-256 fingerprint); without it such a resume is refused." };
        var conditional = new Option<bool>("--conditional") { Description = "A class-conditional DCGAN (Mirza & Osindero 2014; dcgan and dcgan64): the label joins G's noise and D's image as one-hot channels; the epoch grids show one row per class with the same noise in every column." };
        var evalEvery = new Option<int?>("--eval-every") { Description = "Measure the sample quality every N epochs (2,000 samples scored by the shipped classifier: Fréchet distance on its features, classifier score, class shares) into quality.csv and quality.png; 0 turns it off. Default: 1 for 28×28 grey data with a shipped classifier (MNIST), off otherwise." };
        var logEvery = new Option<int>("--log-every") { Description = "Print a progress line every N steps when the output is not a terminal.", DefaultValueFactory = _ => 50 };

        // pytorch/examples' dcgan/main.py spellings, so its users' command lines work as they are.
        batchSize.Aliases.Add("--batchSize");
        epochs.Aliases.Add("--niter");
        outDir.Aliases.Add("--outf");
        seed.Aliases.Add("--manualSeed");
        resume.Aliases.Add("--netG");
        data.Aliases.Add("--dataroot");
        imageSize.Aliases.Add("--imageSize");
        var cuda = new Option<bool>("--cuda") { Description = "pytorch/examples' spelling of --device cuda.", Hidden = true };

        var command = new Command("train", "Train a DCGAN on MNIST, Fashion-MNIST, CIFAR-10 or a folder of images and write grids, progress.gif, losses.csv/png, config.json and checkpoints.")
        {
            arch, epochs, batchSize, lr, beta1, nz, ngf, ndf, dropout, seed, limit, threads, device, outDir, force, checkpointEvery, resume, dryRun, sampleMode, dataset, data, imageSize, channels, background, download, allowDataChange, conditional, evalEvery, logEvery, cuda,
        };
        command.SetAction(r => TrainRunner.Run(new TrainOptions
        {
            Arch = r.GetValue(arch)!,
            Epochs = r.GetValue(epochs),
            BatchSize = r.GetValue(batchSize),
            Lr = r.GetValue(lr),
            Beta1 = r.GetValue(beta1),
            Nz = r.GetValue(nz),
            Ngf = r.GetValue(ngf),
            Ndf = r.GetValue(ndf),
            Dropout = r.GetValue(dropout),
            Seed = r.GetValue(seed),
            Limit = r.GetValue(limit),
            Threads = r.GetValue(threads),
            Device = r.GetValue(cuda) && r.GetResult(device) is null or { Implicit: true } ? "cuda" : r.GetValue(device)!,
            Out = r.GetValue(outDir),
            CheckpointEvery = r.GetValue(checkpointEvery),
            Resume = r.GetValue(resume),
            DryRun = r.GetValue(dryRun),
            SampleMode = r.GetValue(sampleMode)!,
            Dataset = r.GetValue(dataset)!,
            Data = r.GetValue(data),
            ImageSize = r.GetValue(imageSize),
            Channels = r.GetValue(channels),
            Background = r.GetValue(background)!,
            Download = r.GetValue(download),
            AllowDataChange = r.GetValue(allowDataChange),
            Force = r.GetValue(force),
            Conditional = r.GetValue(conditional),
            EvalEvery = r.GetValue(evalEvery),
            LogEvery = r.GetValue(logEvery),
            Given = command.Options.Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name.TrimStart('-')).ToHashSet(),
        }));
        return command;
    }
}
