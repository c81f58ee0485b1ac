// Real images for training kept as bytes (one per pixel, 0-255, C×H×W per image) and scaled to [−1, 1] one batch
// at a time: 200,000 64×64 RGB images take 2.5 GB instead of 10 GB of floats. The bytes live in chunks of at most
// 1 GiB because one .NET array holds at most 2^31 − 1 elements.
namespace Dcgan.Samples.Training;

using Dcgan.Data;

/// <summary>
/// Images of one size as bytes, in chunks of whole images (each chunk at most <see cref="MaxChunkBytes"/>, all but the
/// last holding <see cref="ImagesPerChunk"/> images). Image <c>i</c> is <see cref="ImageSize"/> bytes, channel-planar
/// (NCHW for one image: all of channel 0 row-major, then channel 1, …).
/// </summary>
public sealed class ImageBuffer
{
    /// <summary>The largest chunk, in bytes: 1 GiB.</summary>
    public const int MaxChunkBytes = 1 << 30;

    private readonly byte[][] _chunks;

    /// <summary>Allocates room for <paramref name="count"/> images of <paramref name="imageSize"/> bytes each (zeroed).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or one image is larger than a chunk.</exception>
    public ImageBuffer(int count, int imageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(imageSize, MaxChunkBytes);
        Count = count;
        ImageSize = imageSize;
        ImagesPerChunk = MaxChunkBytes / imageSize;
        int chunks = (count + ImagesPerChunk - 1) / ImagesPerChunk;
        _chunks = new byte[chunks][];
        for (int c = 0; c < chunks; c++)
        {
            int images = Math.Min(ImagesPerChunk, count - (c * ImagesPerChunk));
            _chunks[c] = GC.AllocateUninitializedArray<byte>(images * imageSize);
        }
    }

    /// <summary>Wraps one array of <c>count · imageSize</c> bytes (kept, not copied) when it fits in one chunk.</summary>
    /// <exception cref="ArgumentException">The array's length is not a multiple of <paramref name="imageSize"/>, or it is larger than a chunk.</exception>
    public ImageBuffer(byte[] pixels, int imageSize)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(imageSize, 1);
        if (pixels.Length % imageSize != 0 || pixels.Length > MaxChunkBytes)
        {
            throw new ArgumentException($"pixels has {pixels.Length} bytes; expected a multiple of {imageSize} bytes of at most {MaxChunkBytes}.", nameof(pixels));
        }

        Count = pixels.Length / imageSize;
        ImageSize = imageSize;
        ImagesPerChunk = Math.Max(Count, 1);
        _chunks = [pixels];
    }

    /// <summary>Number of images.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes per image (C·H·W).</summary>
    public int ImageSize { get; }

    /// <summary>Images per chunk (the last chunk may hold fewer).</summary>
    public int ImagesPerChunk { get; }

    /// <summary>Total bytes of the <see cref="Count"/> images.</summary>
    public long Bytes => (long)Count * ImageSize;

    /// <summary>The bytes of image <paramref name="index"/>, writable.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    public Span<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Expected an image index in [0, {Count}).");
            }

            return _chunks[index / ImagesPerChunk].AsSpan((index % ImagesPerChunk) * ImageSize, ImageSize);
        }
    }

    /// <summary>The bytes of the first <paramref name="images"/> images as consecutive memory segments, in order (for hashing and writing).</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments(int images)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(images);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(images, Count);
        for (int c = 0; images > 0; c++)
        {
            int n = Math.Min(images, ImagesPerChunk);
            yield return _chunks[c].AsMemory(0, n * ImageSize);
            images -= n;
        }
    }

    /// <summary>The chunks' memory for the first <see cref="Count"/> images, writable (for reading a cache file straight into place).</summary>
    public IEnumerable<Memory<byte>> WritableSegments()
    {
        int images = Count;
        for (int c = 0; images > 0; c++)
        {
            int n = Math.Min(images, ImagesPerChunk);
            yield return _chunks[c].AsMemory(0, n * ImageSize);
            images -= n;
        }
    }

    /// <summary>
    /// Keeps only the images whose <paramref name="keep"/> entry is true, moved down in order (for dropping the slots of files
    /// that could not be decoded); the memory of the dropped tail stays allocated.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="keep"/> does not have <see cref="Count"/> entries.</exception>
    public void Compact(ReadOnlySpan<bool> keep)
    {
        if (keep.Length != Count)
        {
            throw new ArgumentException($"keep has {keep.Length} entries; expected {Count}.", nameof(keep));
        }

        int next = 0;
        for (int i = 0; i < keep.Length; i++)
        {
            if (keep[i])
            {
                if (next != i)
                {
                    this[i].CopyTo(this[next]);
                }

                next++;
            }
        }

        Count = next;
    }
}

/// <summary>
/// Real images for training: <see cref="Count"/> images of <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>
/// bytes, converted to floats in [−1, 1] as x/127.5 − 1 (<see cref="MnistDataset.Scale(byte)"/>, torchvision's
/// <c>Normalize((0.5,), (0.5,))</c> after <c>ToTensor()</c>) one image at a time by <see cref="CopyImage"/>.
/// </summary>
public sealed class TrainingImages
{
    /// <summary>Wraps <paramref name="pixels"/> (count·C·H·W bytes, kept, not copied).</summary>
    /// <exception cref="ArgumentException">The length is not count·C·H·W.</exception>
    public TrainingImages(byte[] pixels, int count, int channels, int height, int width, string source)
        : this(Wrap(pixels, count, channels * height * width), channels, height, width, source)
    {
    }

    /// <summary>Wraps <paramref name="images"/> (kept, not copied); its image size must be C·H·W.</summary>
    /// <exception cref="ArgumentException">The buffer's image size is not C·H·W.</exception>
    public TrainingImages(ImageBuffer images, int channels, int height, int width, string source)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (images.ImageSize != channels * height * width)
        {
            throw new ArgumentException($"images hold {images.ImageSize} bytes each; expected {channels}×{height}×{width} = {channels * height * width}.", nameof(images));
        }

        Images = images;
        Channels = channels;
        Height = height;
        Width = width;
        Source = source;
    }

    /// <summary>The bytes.</summary>
    public ImageBuffer Images { get; }

    /// <summary>Number of images.</summary>
    public int Count => Images.Count;

    /// <summary>Channels per image (1 grey, 3 RGB).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Where the images came from, for messages.</summary>
    public string Source { get; }

    /// <summary>Values per image: C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The dataset's name as --dataset spells it.</summary>
    public string Dataset { get; init; } = "mnist";

    /// <summary>Where the images came from (see <see cref="DataRecord.Source"/>).</summary>
    public string Origin { get; init; } = DataRecord.Embedded;

    /// <summary>The folder read, or null for the embedded sample.</summary>
    public string? Folder { get; init; }

    /// <summary>The class of each image when the dataset has labels (MNIST, CIFAR-10), else null.</summary>
    public byte[]? Labels { get; init; }

    /// <summary>Writes image <paramref name="index"/> as <see cref="ImageSize"/> floats x/127.5 − 1 in [−1, 1] (C×H×W) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ImageSize"/>.</exception>
    public void CopyImage(int index, Span<float> destination) => MnistDataset.Scale(Images[index], destination);

    private static ImageBuffer Wrap(byte[] pixels, int count, int imageSize)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)count * imageSize)
        {
            throw new ArgumentException($"pixels has {pixels.Length} bytes; expected {count}·{imageSize} = {(long)count * imageSize}.", nameof(pixels));
        }

        return new ImageBuffer(pixels, imageSize);
    }
}
