// An MNIST-format dataset in memory: the raw pixel bytes, the labels, and the images scaled to [−1, 1]
// as x/127.5 − 1 (the range of the generator's Tanh output), loaded from a folder, two files or two streams.
namespace Dcgan.Data;

/// <summary>Which half of an MNIST-format dataset to read.</summary>
public enum MnistSplit
{
    /// <summary>The training set: <c>train-images-idx3-ubyte</c> and <c>train-labels-idx1-ubyte</c> (60,000 images).</summary>
    Train,

    /// <summary>The test set: <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c> (10,000 images).</summary>
    Test,
}

/// <summary>
/// Images and labels of MNIST or a dataset in the same format (Fashion-MNIST): <see cref="Count"/> grayscale
/// 28×28 images with one label byte each. <see cref="Images"/> is the float tensor data N×1×28×28 (NCHW,
/// row-major) scaled to [−1, 1]; <see cref="RawImages"/> keeps the bytes 0–255.
/// The PyTorch equivalent is <c>torchvision.datasets.MNIST</c> with
/// <c>transforms.Compose([ToTensor(), Normalize((0.5,), (0.5,))])</c>, which computes (x/255 − 0.5)/0.5;
/// this class computes x/127.5 − 1, the same value up to float rounding (0 → −1 and 255 → 1 exactly).
/// </summary>
public sealed class MnistDataset
{
    /// <summary>The standard file names (without <c>.gz</c>): training images.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte";

    /// <summary>The standard file names (without <c>.gz</c>): training labels.</summary>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte";

    /// <summary>The standard file names (without <c>.gz</c>): test images.</summary>
    public const string TestImagesFile = "t10k-images-idx3-ubyte";

    /// <summary>The standard file names (without <c>.gz</c>): test labels.</summary>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte";

    private float[]? _images;

    /// <summary>Wraps pixels and labels already in memory (the arrays are kept, not copied).</summary>
    /// <param name="rawImages">count·784 bytes, image after image, each 28×28 row-major.</param>
    /// <param name="labels">count bytes.</param>
    /// <param name="source">Where the data came from, for messages (a folder, a file, "embedded sample").</param>
    /// <exception cref="ArgumentException">The pixel count is not 784 times the label count.</exception>
    public MnistDataset(byte[] rawImages, byte[] labels, string source)
    {
        ArgumentNullException.ThrowIfNull(rawImages);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(source);
        if (rawImages.Length != (long)labels.Length * Idx.PixelsPerImage)
        {
            throw new ArgumentException($"rawImages has {rawImages.Length} bytes; expected {Idx.PixelsPerImage}·{labels.Length} = {(long)labels.Length * Idx.PixelsPerImage} for {labels.Length} labels.", nameof(rawImages));
        }

        RawImages = rawImages;
        Labels = labels;
        Source = source;
    }

    /// <summary>The number of images (and labels).</summary>
    public int Count => Labels.Length;

    /// <summary>Channels per image: 1 (grayscale).</summary>
    public int Channels => 1;

    /// <summary>Image height in pixels: 28.</summary>
    public int Height => Idx.ImageSize;

    /// <summary>Image width in pixels: 28.</summary>
    public int Width => Idx.ImageSize;

    /// <summary>The pixels as stored in the file, 0 (background) to 255 (ink): <see cref="Count"/>·784 bytes, image after image, row-major.</summary>
    public byte[] RawImages { get; }

    /// <summary>The class of each image (0–9 for MNIST's digits and Fashion-MNIST's article types).</summary>
    public byte[] Labels { get; }

    /// <summary>Where the data came from (a folder, a file name, a resource name); used in messages.</summary>
    public string Source { get; }

    /// <summary>
    /// The images as a float tensor of shape (N, 1, 28, 28), NCHW row-major, each pixel x/127.5 − 1 in [−1, 1].
    /// Computed on first use (N·784·4 bytes: 188 MB for the 60,000 training images) and kept.
    /// </summary>
    public float[] Images
    {
        get
        {
            float[]? images = Volatile.Read(ref _images);
            if (images is null)
            {
                images = new float[RawImages.Length];
                Scale(RawImages, images);
                images = Interlocked.CompareExchange(ref _images, images, null) ?? images;
            }

            return images;
        }
    }

    /// <summary>Maps a pixel byte to [−1, 1]: x/127.5 − 1.</summary>
    public static float Scale(byte pixel) => (pixel / 127.5f) - 1f;

    /// <summary>Scales pixel bytes to [−1, 1] with <see cref="Scale(byte)"/>.</summary>
    /// <param name="pixels">Bytes 0–255.</param>
    /// <param name="destination">At least as long as <paramref name="pixels"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="pixels"/>.</exception>
    public static void Scale(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (destination.Length < pixels.Length)
        {
            throw new ArgumentException($"destination has {destination.Length} elements; expected at least {pixels.Length}.", nameof(destination));
        }

        for (int i = 0; i < pixels.Length; i++)
        {
            destination[i] = Scale(pixels[i]);
        }
    }

    /// <summary>Writes image <paramref name="index"/> scaled to [−1, 1] (784 floats, row-major) into <paramref name="destination"/>, for gathering shuffled batches.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has fewer than 784 elements.</exception>
    public void CopyImage(int index, Span<float> destination)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected an image index in [0, {Count}).");
        }

        Scale(RawImages.AsSpan(index * Idx.PixelsPerImage, Idx.PixelsPerImage), destination);
    }

    /// <summary>The first <paramref name="count"/> images and labels (for a quick run on a prefix of the data).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or more than <see cref="Count"/>.</exception>
    public MnistDataset Take(int count)
    {
        if (count < 0 || count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected a count in [0, {Count}].");
        }

        return count == Count ? this : new MnistDataset(RawImages[..(count * Idx.PixelsPerImage)], Labels[..count], Source);
    }

    /// <summary>The standard image and label file names (without <c>.gz</c>) of a split.</summary>
    public static (string Images, string Labels) FileNames(MnistSplit split) => split switch
    {
        MnistSplit.Train => (TrainImagesFile, TrainLabelsFile),
        MnistSplit.Test => (TestImagesFile, TestLabelsFile),
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Expected MnistSplit.Train or MnistSplit.Test."),
    };

    /// <summary>
    /// The path of <paramref name="fileName"/> or <paramref name="fileName"/><c>.gz</c> in <paramref name="folder"/>
    /// (the uncompressed one when both exist), or null when neither exists.
    /// </summary>
    public static string? FindFile(string folder, string fileName)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(fileName);
        string raw = Path.Combine(folder, fileName);
        if (File.Exists(raw))
        {
            return raw;
        }

        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>True when <paramref name="folder"/> holds both files of <paramref name="split"/> (raw or <c>.gz</c>); nothing is read.</summary>
    public static bool HasFiles(string folder, MnistSplit split = MnistSplit.Train)
    {
        var (images, labels) = FileNames(split);
        return Directory.Exists(folder) && FindFile(folder, images) is not null && FindFile(folder, labels) is not null;
    }

    /// <summary>
    /// Reads a split from a folder holding the standard files, each either raw or gzip-compressed
    /// (<c>train-images-idx3-ubyte</c> or <c>train-images-idx3-ubyte.gz</c>, …; gzip is recognised by its signature).
    /// The PyTorch equivalent is <c>torchvision.datasets.MNIST(root, train=...)</c> reading its <c>raw/</c> folder.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="split">Training (default) or test set.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is missing, or a file is not a valid IDX file (see <see cref="Idx"/>),
    /// or the image and label counts differ. Nothing is written anywhere.</exception>
    public static MnistDataset Load(string folder, MnistSplit split = MnistSplit.Train)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{folder}: expected a folder holding the MNIST files, found no such folder.");
        }

        var (imagesName, labelsName) = FileNames(split);
        string? images = FindFile(folder, imagesName);
        string? labels = FindFile(folder, labelsName);
        if (images is null && labels is null)
        {
            throw new InvalidDataException($"{folder}: expected {imagesName}[.gz] and {labelsName}[.gz], found {DescribeContents(folder)}.");
        }

        if (images is null || labels is null)
        {
            string missing = images is null ? imagesName : labelsName;
            string present = Path.GetFileName(images ?? labels)!;
            throw new InvalidDataException($"{folder}: expected {missing}[.gz] next to {present}, found no such file.");
        }

        return LoadFiles(images, labels);
    }

    /// <summary>Reads an image file and a label file (each raw or gzip-compressed) given by path.</summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid IDX file, or the counts differ.</exception>
    public static MnistDataset LoadFiles(string imagesPath, string labelsPath)
    {
        ArgumentNullException.ThrowIfNull(imagesPath);
        ArgumentNullException.ThrowIfNull(labelsPath);
        using var images = File.OpenRead(imagesPath);
        using var labels = File.OpenRead(labelsPath);
        return Load(images, labels, imagesPath, labelsPath, Path.GetDirectoryName(Path.GetFullPath(imagesPath)) ?? imagesPath);
    }

    /// <summary>
    /// Reads an image stream and a label stream (each raw or gzip-compressed, detected by signature), for example
    /// embedded resources. The streams are read to their end and not closed.
    /// </summary>
    /// <param name="images">The image file's contents.</param>
    /// <param name="labels">The label file's contents.</param>
    /// <param name="imagesName">The image file's name in error messages.</param>
    /// <param name="labelsName">The label file's name in error messages.</param>
    /// <param name="source">Stored as <see cref="Source"/>; defaults to <paramref name="imagesName"/>.</param>
    /// <exception cref="InvalidDataException">A stream is not a valid IDX file, or the counts differ.</exception>
    public static MnistDataset Load(Stream images, Stream labels, string imagesName, string labelsName, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(imagesName);
        ArgumentNullException.ThrowIfNull(labelsName);
        byte[] pixels = Idx.ReadImages(images, imagesName);
        byte[] labelBytes = Idx.ReadLabels(labels, labelsName);
        int imageCount = pixels.Length / Idx.PixelsPerImage;
        if (imageCount != labelBytes.Length)
        {
            throw new InvalidDataException($"{labelsName}: expected {imageCount} labels, one per image of {imagesName}, found {labelBytes.Length}.");
        }

        return new MnistDataset(pixels, labelBytes, source ?? imagesName);
    }

    private static string DescribeContents(string folder)
    {
        string[] entries = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (entries.Length == 0)
        {
            return "an empty folder";
        }

        string shown = string.Join(", ", entries.Take(5));
        return entries.Length <= 5 ? $"only {shown}" : $"only {shown} and {entries.Length - 5} more";
    }
}
