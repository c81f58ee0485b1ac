// The datasets the dcgan tool can train on: their standard IDX .gz files with the MD5 sums that
// torchvision checks (torchvision/datasets/mnist.py), download mirrors, and where Debian installs them.
namespace Dcgan.Samples.Data;

using Dcgan.Data;

/// <summary>The datasets in MNIST's IDX format that the tool knows.</summary>
public enum DatasetKind
{
    /// <summary>MNIST handwritten digits (LeCun, Cortes, Burges).</summary>
    Mnist,

    /// <summary>Fashion-MNIST article images (Xiao, Rasul, Vollgraf; Zalando Research).</summary>
    FashionMnist,
}

/// <summary>One file of a dataset as published: its name (with <c>.gz</c>) and the MD5 of those bytes.</summary>
public sealed record RemoteFile(string Name, string Md5);

/// <summary>
/// A dataset's published files, the mirrors serving them (base URLs ending in '/'), the folder a system
/// package installs it to, and whether the embedded MNIST sample may stand in for it.
/// </summary>
public sealed record DatasetInfo(
    DatasetKind Kind,
    string Name,
    string DisplayName,
    IReadOnlyList<RemoteFile> Files,
    IReadOnlyList<Uri> Mirrors,
    string? SystemFolder,
    bool EmbeddedFallback)
{
    /// <summary>
    /// MNIST. Mirrors: torchvision's (S3, first), then TensorFlow's CVDF copy on Google Cloud Storage.
    /// yann.lecun.com is left out: it answers 403 to scripts.
    /// </summary>
    public static DatasetInfo Mnist { get; } = new(
        DatasetKind.Mnist,
        "mnist",
        "MNIST",
        [
            new(MnistDataset.TrainImagesFile + ".gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            new(MnistDataset.TrainLabelsFile + ".gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            new(MnistDataset.TestImagesFile + ".gz", "9fb629c4189551a2d022fa330f9573f3"),
            new(MnistDataset.TestLabelsFile + ".gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ],
        [
            new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            new Uri("https://storage.googleapis.com/cvdf-datasets/mnist/"),
        ],
        SystemFolder: null,
        EmbeddedFallback: true);

    /// <summary>
    /// Fashion-MNIST. Mirrors: torchvision's (Zalando's S3 website), then the files in Zalando's GitHub repository.
    /// Debian's package <c>dataset-fashion-mnist</c> installs the files in /usr/share/datasets/fashion-mnist.
    /// </summary>
    public static DatasetInfo FashionMnist { get; } = new(
        DatasetKind.FashionMnist,
        "fashion-mnist",
        "Fashion-MNIST",
        [
            new(MnistDataset.TrainImagesFile + ".gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            new(MnistDataset.TrainLabelsFile + ".gz", "25c81989df183df01b3e8a0aad5dffbe"),
            new(MnistDataset.TestImagesFile + ".gz", "bef4ecab320f06d8554ea6380940ec79"),
            new(MnistDataset.TestLabelsFile + ".gz", "bb300cfdad3c16e7a12a480ee83cd310"),
        ],
        [
            new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            new Uri("https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/"),
        ],
        SystemFolder: "/usr/share/datasets/fashion-mnist",
        EmbeddedFallback: false);

    /// <summary>The names accepted by <c>--dataset</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [Mnist.Name, FashionMnist.Name];

    /// <summary>The description of <paramref name="kind"/>.</summary>
    public static DatasetInfo Get(DatasetKind kind) => kind switch
    {
        DatasetKind.Mnist => Mnist,
        DatasetKind.FashionMnist => FashionMnist,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Expected DatasetKind.Mnist or DatasetKind.FashionMnist."),
    };

    /// <summary>Parses a <c>--dataset</c> value ("mnist", "fashion-mnist"; case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static DatasetInfo Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (DatasetInfo info in new[] { Mnist, FashionMnist })
        {
            if (string.Equals(name, info.Name, StringComparison.OrdinalIgnoreCase))
            {
                return info;
            }
        }

        throw new ArgumentException($"--dataset '{name}' is unknown; expected one of: {string.Join(", ", Names)}.", nameof(name));
    }
}
