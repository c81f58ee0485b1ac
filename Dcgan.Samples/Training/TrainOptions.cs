// Every setting of a training run; written to config.json so a run can be repeated, and into checkpoints.
namespace Dcgan.Samples.Training;

using System.Text.Json;
using System.Text.Json.Serialization;

/// <summary>The architectures the trainer knows.</summary>
public static class Architectures
{
    public const string Dcgan = "dcgan";
    public const string TfTutorial = "tf-tutorial";
    public static readonly string[] All = [Dcgan, TfTutorial];
}

/// <summary>Settings of one training run. Null numeric settings take the architecture's default (see <see cref="Resolve"/>).</summary>
public sealed record TrainOptions
{
    public string Arch { get; init; } = Architectures.Dcgan;
    public int Epochs { get; init; } = 5;

    /// <summary>Whether --epochs was given; with --resume an omitted --epochs means the checkpoint's run's own.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool EpochsGiven { get; init; } = true;
    public int? BatchSize { get; init; }
    public double? Lr { get; init; }
    public double? Beta1 { get; init; }
    public double Beta2 { get; init; } = 0.999;
    public double? AdamEps { get; init; }
    public int Nz { get; init; } = 100;
    public int Ngf { get; init; } = 64;
    public int Ndf { get; init; } = 64;
    public float? Dropout { get; init; }
    public ulong Seed { get; init; } = 1;
    public int? Limit { get; init; }
    public int Threads { get; init; }
    public string Device { get; init; } = "cpu";
    public string? Out { get; init; }
    public int CheckpointEvery { get; init; } = 15;
    public string? Resume { get; init; }
    public bool DryRun { get; init; }
    public string SampleMode { get; init; } = "eval";
    public string Dataset { get; init; } = "mnist";
    public string? Data { get; init; }

    /// <summary>--image-size: the side S of the square images trained on; null takes the dataset's (see <see cref="ResolvedImageSize"/>).</summary>
    public int? ImageSize { get; init; }

    /// <summary>--channels: 1 (grey) or 3 (RGB); null takes the dataset's (see <see cref="ResolvedChannels"/>).</summary>
    public int? Channels { get; init; }
    public bool Download { get; init; }
    public int LogEvery { get; init; } = 50;
    public bool DropLast { get; init; } = true;

    /// <summary>The backend that ran, as it names itself (e.g. "cpu: AVX2+FMA, 256-bit, 2 threads"); set by the runner.</summary>
    public string? DeviceName { get; init; }

    /// <summary>The data trained on; set by the runner, checked by --resume.</summary>
    public DataRecord? DataUsed { get; init; }

    /// <summary>--allow-data-change: let --resume continue on images other than the checkpoint's.</summary>
    [JsonIgnore]
    public bool AllowDataChange { get; init; }

    [JsonIgnore]
    public int ResolvedBatchSize => BatchSize ?? (Arch == Architectures.TfTutorial ? 256 : 128);

    [JsonIgnore]
    public double ResolvedLr => Lr ?? (Arch == Architectures.TfTutorial ? 1e-4 : 2e-4);

    [JsonIgnore]
    public double ResolvedBeta1 => Beta1 ?? (Arch == Architectures.TfTutorial ? 0.9 : 0.5);

    [JsonIgnore]
    public double ResolvedAdamEps => AdamEps ?? (Arch == Architectures.TfTutorial ? 1e-7 : 1e-8);

    [JsonIgnore]
    public float ResolvedDropout => Dropout ?? (Arch == Architectures.TfTutorial ? 0.3f : 0f);

    /// <summary>The image side: --image-size, else 64 for folder, 32 for cifar10, 28 for the MNIST IDX sets.</summary>
    [JsonIgnore]
    public int ResolvedImageSize => ImageSize ?? DataDefaults.ImageSize(Dataset);

    /// <summary>Channels: --channels, else 3 for folder and cifar10, 1 for the MNIST IDX sets.</summary>
    [JsonIgnore]
    public int ResolvedChannels => Channels ?? DataDefaults.Channels(Dataset);

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
        Require(ResolvedImageSize is >= 4 and <= 1024, $"--image-size is {ResolvedImageSize}; it must be in [4, 1024].");
        Require(ResolvedChannels is 1 or 3, $"--channels is {ResolvedChannels}; expected 1 (grey) or 3 (RGB).");
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
