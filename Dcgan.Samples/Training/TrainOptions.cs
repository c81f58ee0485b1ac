// Every setting of a training run; written to config.json so a run can be repeated, and into checkpoints.
namespace Dcgan.Samples.Training;

using System.Text.Json;
using System.Text.Json.Serialization;
using Dcgan.Samples.Data;

/// <summary>
/// Settings of one training run. Null numeric settings take the architecture's default (see <see cref="Resolve"/>).
/// Each setting says where <c>--resume</c> takes it from (<see cref="ResumeAttribute"/>, applied by <see cref="ResumePolicy"/>).
/// </summary>
public sealed record TrainOptions
{
    [Resume(ResumeFrom.Checkpoint)]
    public string Arch { get; init; } = Architectures.Dcgan;

    [Resume(ResumeFrom.CommandLineIfGiven)]
    public int Epochs { get; init; } = 5;

    /// <summary>The kebab-case names of the settings given on the command line; null means all were (programmatic use).</summary>
    [JsonIgnore]
    public IReadOnlySet<string>? Given { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public int? BatchSize { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public double? Lr { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public double? Beta1 { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public double Beta2 { get; init; } = 0.999;

    [Resume(ResumeFrom.Checkpoint)]
    public double? AdamEps { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public int Nz { get; init; } = 100;

    [Resume(ResumeFrom.Checkpoint)]
    public int Ngf { get; init; } = 64;

    [Resume(ResumeFrom.Checkpoint)]
    public int Ndf { get; init; } = 64;

    [Resume(ResumeFrom.Checkpoint)]
    public float? Dropout { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public ulong Seed { get; init; } = 1;

    [Resume(ResumeFrom.Checkpoint)]
    public int? Limit { get; init; }

    [Resume(ResumeFrom.CommandLine)]
    public int Threads { get; init; }

    [Resume(ResumeFrom.CommandLine)]
    public string Device { get; init; } = "cpu";

    /// <summary>The output folder; on resume, when not given, the checkpoint's own folder.</summary>
    [Resume(ResumeFrom.CommandLineIfGiven)]
    public string? Out { get; init; }

    [Resume(ResumeFrom.CommandLine)]
    public int CheckpointEvery { get; init; } = 15;

    [Resume(ResumeFrom.CommandLine)]
    public string? Resume { get; init; }

    [Resume(ResumeFrom.CommandLine)]
    public bool DryRun { get; init; }

    [Resume(ResumeFrom.CommandLine)]
    public string SampleMode { get; init; } = "eval";

    [Resume(ResumeFrom.Checkpoint)]
    public string Dataset { get; init; } = "mnist";

    /// <summary>--data; on resume, when not given, the checkpoint's (and its data record's folder is tried first).</summary>
    [Resume(ResumeFrom.CommandLineIfGiven)]
    public string? Data { get; init; }

    /// <summary>--image-size: the side S of the square images trained on; null takes the dataset's (see <see cref="ResolvedImageSize"/>).</summary>
    [Resume(ResumeFrom.Checkpoint)]
    public int? ImageSize { get; init; }

    /// <summary>--channels: 1 (grey) or 3 (RGB); null takes the dataset's (see <see cref="ResolvedChannels"/>).</summary>
    [Resume(ResumeFrom.Checkpoint)]
    public int? Channels { get; init; }

    /// <summary>
    /// --background (--dataset folder only): what transparent pixels become. "none" drops alpha (PIL's <c>convert('RGB')</c>,
    /// as torchvision's ImageFolder); "white", "black" or "#RRGGBB" composites each image over that colour first (see
    /// <see cref="ResolvedBackground"/>). Part of the data, so --resume takes the checkpoint's.
    /// </summary>
    [Resume(ResumeFrom.Checkpoint)]
    public string Background { get; init; } = ImageBackground.None;

    [Resume(ResumeFrom.CommandLine)]
    public bool Download { get; init; }

    [Resume(ResumeFrom.CommandLine)]
    public int LogEvery { get; init; } = 50;

    /// <summary>
    /// --eval-every: measure the sample quality (quality.csv, quality.png) every N epochs; 0 turns it off; null: every epoch
    /// when the data has a shipped classifier (28×28 grey images of MNIST), else off (see Quality.QualityTracker.Create).
    /// The runner records the value that ran. On resume the checkpoint's value holds unless given, so that quality.csv keeps
    /// its spacing.
    /// </summary>
    [Resume(ResumeFrom.CommandLineIfGiven)]
    public int? EvalEvery { get; init; }

    [Resume(ResumeFrom.Checkpoint)]
    public bool DropLast { get; init; } = true;

    /// <summary>--conditional: a class-conditional DCGAN (Mirza &amp; Osindero 2014) over <see cref="NumClasses"/> classes.</summary>
    [Resume(ResumeFrom.Checkpoint)]
    public bool Conditional { get; init; }

    /// <summary>The number of classes a conditional model is built for (10 for MNIST, Fashion-MNIST and CIFAR-10).</summary>
    [Resume(ResumeFrom.Checkpoint)]
    public int NumClasses { get; init; } = 10;

    /// <summary>The backend that ran, as it names itself (e.g. "cpu: AVX2+FMA, 256-bit, 2 threads"); set by the runner.</summary>
    [Resume(ResumeFrom.Recorded)]
    public string? DeviceName { get; init; }

    /// <summary>The data trained on; set by the runner, checked by --resume.</summary>
    [Resume(ResumeFrom.Recorded)]
    public DataRecord? DataUsed { get; init; }

    /// <summary>--allow-data-change: let --resume continue on images other than the checkpoint's.</summary>
    [JsonIgnore]
    [Resume(ResumeFrom.CommandLine)]
    public bool AllowDataChange { get; init; }

    /// <summary>--force: start a new run in an --out folder that holds another run, removing that run's files first.</summary>
    [JsonIgnore]
    [Resume(ResumeFrom.CommandLine)]
    public bool Force { get; init; }

    /// <summary>Whether the setting with kebab-case name <paramref name="name"/> was given (always, for programmatic use).</summary>
    public bool IsGiven(string name) => Given is null || Given.Contains(name);

    /// <summary>The preset <see cref="Arch"/> names (the default preset while Arch is not one; <see cref="Validate"/> says so).</summary>
    [JsonIgnore]
    public Preset Preset => Presets.Find(Arch) ?? Presets.Dcgan;

    [JsonIgnore]
    public int ResolvedBatchSize => BatchSize ?? Preset.BatchSize;

    [JsonIgnore]
    public double ResolvedLr => Lr ?? Preset.Lr;

    [JsonIgnore]
    public double ResolvedBeta1 => Beta1 ?? Preset.Beta1;

    [JsonIgnore]
    public double ResolvedAdamEps => AdamEps ?? Preset.AdamEps;

    [JsonIgnore]
    public float ResolvedDropout => Dropout ?? Preset.Dropout;

    /// <summary>The image side: --image-size, else 64 for folder, 32 for cifar10 (64 for both with --arch dcgan64), 28 for the MNIST IDX sets.</summary>
    [JsonIgnore]
    public int ResolvedImageSize => ImageSize ?? (Arch == Architectures.Dcgan64 && !DataDefaults.IsIdx(Dataset) ? Dcgan.Models.Dcgan64Models.ImageSize : DataDefaults.ImageSize(Dataset));

    /// <summary>Channels: --channels, else 3 for folder and cifar10, 1 for the MNIST IDX sets.</summary>
    [JsonIgnore]
    public int ResolvedChannels => Channels ?? DataDefaults.Channels(Dataset);

    /// <summary>The colour of <see cref="Background"/>; null for none (and for a value <see cref="Validate"/> rejects).</summary>
    [JsonIgnore]
    public ImageBackground? ResolvedBackground => ImageBackground.TryParse(Background, out ImageBackground? b) ? b : null;

    /// <summary>A copy with every architecture default filled in, for config.json.</summary>
    public TrainOptions Resolve() => this with
    {
        BatchSize = ResolvedBatchSize,
        Lr = ResolvedLr,
        Beta1 = ResolvedBeta1,
        AdamEps = ResolvedAdamEps,
        Dropout = ResolvedDropout,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Require(Architectures.All.Contains(Arch), $"--arch is '{Arch}'; expected one of: {string.Join(", ", Architectures.All)}.");
        Require(Epochs >= 1, $"--epochs is {Epochs}; it must be >= 1.");
        Require(ResolvedBatchSize >= 2, $"--batch-size is {ResolvedBatchSize}; it must be >= 2 (BatchNorm needs two samples).");
        Require(ResolvedLr > 0 && double.IsFinite(ResolvedLr), $"--lr is {ResolvedLr}; it must be > 0.");
        Require(ResolvedBeta1 is >= 0 and < 1, $"--beta1 is {ResolvedBeta1}; it must be in [0, 1).");
        Require(Nz >= 1, $"--nz is {Nz}; it must be >= 1.");
        Require(Ngf >= 1, $"--ngf is {Ngf}; it must be >= 1.");
        Require(Ndf >= 1, $"--ndf is {Ndf}; it must be >= 1.");
        Require(ResolvedDropout is >= 0 and < 1, $"--dropout is {ResolvedDropout}; it must be in [0, 1).");
        Require(Limit is null or >= 1, $"--limit is {Limit}; it must be >= 1.");
        Require(Threads >= 0, $"--threads is {Threads}; it must be >= 0 (0 = all cores).");
        Require(CheckpointEvery >= 1, $"--checkpoint-every is {CheckpointEvery}; it must be >= 1.");
        Require(SampleMode is "eval" or "train", $"--sample-mode is '{SampleMode}'; expected eval or train.");
        Require(LogEvery >= 1, $"--log-every is {LogEvery}; it must be >= 1.");
        Require(EvalEvery is null or >= 0, $"--eval-every is {EvalEvery}; it must be >= 0 (0 = off).");
        Require(!Conditional || Preset.SupportsConditional, $"--conditional works with --arch {string.Join(" or ", Presets.All.Where(p => p.SupportsConditional).Select(p => p.Name))}; --arch {Arch} has no convolutional input to carry the label.");
        Require(NumClasses is >= 2 and <= 1000, $"the class count is {NumClasses}; it must be in [2, 1000].");
        Require(ResolvedImageSize is >= 4 and <= 1024, $"--image-size is {ResolvedImageSize}; it must be in [4, 1024].");
        Require(ResolvedChannels is 1 or 3, $"--channels is {ResolvedChannels}; expected 1 (grey) or 3 (RGB).");
        Require(ImageBackground.TryParse(Background, out ImageBackground? background), $"--background is '{Background}'; expected {ImageBackground.Expected}.");
        // On --resume the checkpoint's value holds (a given one is ignored with a warning) and suits its dataset.
        Require(Resume is not null || Dataset == DataDefaults.Folder || (background is null && Given?.Contains("background") != true),
            $"--background is for --dataset folder only; {Dataset}'s images have no transparency (alpha channel) to composite, so leave --background out.");
        if (DataDefaults.IsIdx(Dataset))
        {
            Require(ResolvedImageSize == 28, $"--image-size is {ResolvedImageSize}, but {Dataset}'s IDX images are 28×28; leave --image-size out (or use --dataset folder for other sizes).");
            Require(ResolvedChannels == 1, $"--channels is {ResolvedChannels}, but {Dataset}'s IDX images are grey; leave --channels out.");
        }

        if (Arch == Architectures.TfTutorial)
        {
            Require(ResolvedImageSize == 28 && ResolvedChannels == 1, $"--arch tf-tutorial trains on 28×28 grey images only; these are {ResolvedImageSize}×{ResolvedImageSize} with {ResolvedChannels} channels (use --arch dcgan).");
        }
        else
        {
            Require(ResolvedImageSize % 4 == 0, $"--image-size is {ResolvedImageSize}; --arch dcgan needs a multiple of 4 (28, 32, 64, ...).");
        }

        // Every dataset is read at the resolved size, so a preset that cannot make it is refused before any decoding.
        if (Architectures.All.Contains(Arch))
        {
            Preset.CheckGeometry(new ImageGeometry(ResolvedChannels, ResolvedImageSize, ResolvedImageSize));
        }
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.KebabCaseLower,
        // Unset optional settings (no --limit, no --data) are left out rather than written as null.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainOptions FromJson(string json) =>
        JsonSerializer.Deserialize<TrainOptions>(json, Json) ?? throw new InvalidDataException("config is empty.");
}

/// <summary>The image size and channels each --dataset has unless --image-size and --channels say otherwise.</summary>
public static class DataDefaults
{
    /// <summary>--dataset folder: every image under --data.</summary>
    public const string Folder = "folder";

    /// <summary>--dataset cifar10: the CIFAR-10 binary version under --data.</summary>
    public const string Cifar10 = "cifar10";

    /// <summary>Every --dataset name.</summary>
    public static readonly string[] All = ["mnist", "fashion-mnist", Folder, Cifar10];

    /// <summary>Whether the dataset is read from MNIST-format IDX files (mnist, fashion-mnist).</summary>
    public static bool IsIdx(string dataset) => dataset is not (Folder or Cifar10);

    /// <summary>64 for folder (pytorch/examples' default --imageSize), 32 for cifar10, 28 for the IDX sets.</summary>
    public static int ImageSize(string dataset) => dataset switch
    {
        Folder => 64,
        Cifar10 => 32,
        _ => 28,
    };

    /// <summary>3 for folder and cifar10, 1 for the IDX sets.</summary>
    public static int Channels(string dataset) => IsIdx(dataset) ? 1 : 3;
}
