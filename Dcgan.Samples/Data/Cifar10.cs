// CIFAR-10's binary version (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html, cifar-10-binary.tar.gz):
// data_batch_1.bin … data_batch_5.bin hold the 50,000 training images, 10,000 records each of 1 label byte (0–9)
// followed by 3,072 pixel bytes: the 32×32 red plane, then green, then blue, each row-major, which is already one
// image's C×H×W layout. torchvision reads the Python version of the same data (torchvision.datasets.CIFAR10).
namespace Dcgan.Samples.Data;

using Dcgan.Samples.Training;

/// <summary>Reads the CIFAR-10 binary training batches.</summary>
public static class Cifar10
{
    /// <summary>Image side: 32.</summary>
    public const int Side = 32;

    /// <summary>Pixel bytes per record: 3 × 32 × 32 = 3,072.</summary>
    public const int PixelBytes = 3 * Side * Side;

    /// <summary>Bytes per record: 1 label byte + 3,072 pixel bytes = 3,073.</summary>
    public const int RecordBytes = 1 + PixelBytes;

    /// <summary>The training files, in the order read.</summary>
    public static readonly string[] TrainFiles = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The folder the archive unpacks to, looked for inside the given folder.</summary>
    public const string ArchiveFolder = "cifar-10-batches-bin";

    /// <summary>The folder holding the batches: <paramref name="folder"/> itself or its <c>cifar-10-batches-bin</c>, whichever has data_batch_1.bin.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Neither holds the five training files, or only some of them.</exception>
    public static string FindFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{folder}: expected a folder holding CIFAR-10's {TrainFiles[0]} … {TrainFiles[^1]}, found no such folder.");
        }

        string inner = Path.Combine(folder, ArchiveFolder);
        string where = File.Exists(Path.Combine(folder, TrainFiles[0])) || !Directory.Exists(inner) ? folder : inner;
        string[] missing = TrainFiles.Where(f => !File.Exists(Path.Combine(where, f))).ToArray();
        if (missing.Length == TrainFiles.Length)
        {
            throw new InvalidDataException($"{folder}: expected CIFAR-10's binary version ({TrainFiles[0]} … {TrainFiles[^1]}, from cifar-10-binary.tar.gz), found none of them.");
        }

        if (missing.Length > 0)
        {
            throw new InvalidDataException($"{where}: expected all five CIFAR-10 training files, found no {string.Join(", ", missing)}.");
        }

        return where;
    }

    /// <summary>
    /// Reads the five training batches of <paramref name="folder"/> (see <see cref="FindFolder"/>) into
    /// <paramref name="channels"/>×<paramref name="size"/>×<paramref name="size"/> bytes per image (grey by PIL's luma,
    /// resized as <see cref="ImageResize"/> when <paramref name="size"/> is not 32), with their labels.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is missing, or its size is not a multiple of 3,073 bytes, or a label is not 0–9.</exception>
    public static (ImageBuffer Images, byte[] Labels, string Folder) Load(string folder, int size = Side, int channels = 3)
    {
        string where = FindFolder(folder);
        var files = TrainFiles.Select(f => Path.Combine(where, f)).ToArray();
        long total = 0;
        foreach (string file in files)
        {
            total += CheckSize(file, new FileInfo(file).Length) / RecordBytes;
        }

        if (total > int.MaxValue)
        {
            throw new InvalidDataException($"{where}: {total} records are more than this reader holds.");
        }

        var images = new ImageBuffer((int)total, channels * size * size);
        var labels = new byte[total];
        int index = 0;
        foreach (string file in files)
        {
            index += Read(File.ReadAllBytes(file), file, images, labels, index, size, channels);
        }

        return (images, labels, where);
    }

    /// <summary>Checks a batch file's length: a multiple of 3,073 bytes, at least one record.</summary>
    /// <returns><paramref name="length"/>.</returns>
    /// <exception cref="InvalidDataException">It is not.</exception>
    public static long CheckSize(string file, long length)
    {
        if (length == 0 || length % RecordBytes != 0)
        {
            string found = length == 0 ? "an empty file" : $"{length:N0} bytes ({length / RecordBytes:N0} records and {length % RecordBytes:N0} bytes over)";
            throw new InvalidDataException($"{file}: expected a multiple of {RecordBytes:N0} bytes (1 label byte + {PixelBytes:N0} pixel bytes per image; 30,730,000 for a full batch), found {found}; is it the binary version of CIFAR-10, complete?");
        }

        return length;
    }

    /// <summary>Converts the records of one batch into <paramref name="images"/> and <paramref name="labels"/> from <paramref name="start"/>.</summary>
    /// <returns>The number of records.</returns>
    /// <exception cref="InvalidDataException">The size is not a multiple of 3,073 bytes or a label is above 9.</exception>
    public static int Read(ReadOnlySpan<byte> batch, string file, ImageBuffer images, byte[] labels, int start, int size = Side, int channels = 3)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        CheckSize(file, batch.Length);
        int count = batch.Length / RecordBytes;
        byte[] grey = channels == 1 ? new byte[Side * Side] : [];
        for (int r = 0; r < count; r++)
        {
            ReadOnlySpan<byte> record = batch.Slice(r * RecordBytes, RecordBytes);
            if (record[0] > 9)
            {
                throw new InvalidDataException($"{file}: record {r} has label {record[0]}; expected 0–9 (is it CIFAR-100's binary version, or not CIFAR at all?).");
            }

            labels[start + r] = record[0];
            ReadOnlySpan<byte> pixels = record[1..];
            if (channels == 1)
            {
                const int plane = Side * Side;
                for (int i = 0; i < plane; i++)
                {
                    grey[i] = ImageFolder.Luma(pixels[i], pixels[plane + i], pixels[(2 * plane) + i]);
                }

                pixels = grey;
            }

            ImageResize.ResizeAndCenterCrop(pixels, channels, Side, Side, size, images[start + r]);
        }

        return count;
    }
}
