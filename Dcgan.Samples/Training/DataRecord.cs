// What a run trained on, recorded in config.json and in every checkpoint so that --resume can tell when the data
// found now is not the data the checkpoint saw (a new MNIST set in the cache folder, a changed --data folder).
namespace Dcgan.Samples.Training;

using System.Security.Cryptography;

/// <summary>The data a run trained on: which dataset, where it came from, how many images, and their fingerprint.</summary>
public sealed record DataRecord
{
    /// <summary>Source of the embedded 10,000-digit sample (no folder).</summary>
    public const string Embedded = "embedded";

    /// <summary>The dataset's name as --dataset spells it (mnist, fashion-mnist).</summary>
    public required string Dataset { get; init; }

    /// <summary>Where the images came from: embedded, folder (--data), system-folder, cache or downloaded.</summary>
    public required string Source { get; init; }

    /// <summary>The folder read, as a full path; "embedded" for the embedded sample.</summary>
    public required string Location { get; init; }

    /// <summary>Images trained on (after --limit).</summary>
    public required int Images { get; init; }

    /// <summary>Image size, channels × height × width.</summary>
    public required int Channels { get; init; }

    public required int Height { get; init; }

    public required int Width { get; init; }

    /// <summary>"sha256:" and the hex SHA-256 of the images trained on: their pixel bytes (0–255), image after image, each C×H×W.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Records the first min(count, <paramref name="limit"/>) images of <paramref name="data"/>.</summary>
    public static DataRecord Of(TrainingImages data, int? limit)
    {
        ArgumentNullException.ThrowIfNull(data);
        int images = Math.Min(data.Count, limit ?? int.MaxValue);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (ReadOnlyMemory<byte> segment in data.Images.Segments(images))
        {
            hash.AppendData(segment.Span);
        }

        return new DataRecord
        {
            Dataset = data.Dataset,
            Source = data.Origin,
            Location = data.Folder is null ? Embedded : Path.GetFullPath(data.Folder),
            Images = images,
            Channels = data.Channels,
            Height = data.Height,
            Width = data.Width,
            Fingerprint = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()),
        };
    }

    /// <summary>Whether both records describe the same images (wherever they were read from).</summary>
    public bool SameImages(DataRecord other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Images == other.Images && Channels == other.Channels && Height == other.Height && Width == other.Width
            && string.Equals(Fingerprint, other.Fingerprint, StringComparison.Ordinal);
    }

    /// <summary>One phrase for messages: "mnist from /data/mnist (60000 images, sha256:1a2b3c4d5e6f)".</summary>
    public string Describe()
    {
        string where = Location == Embedded ? "the embedded sample" : Location;
        string print = Fingerprint.Length > 19 ? Fingerprint[..19] : Fingerprint;
        return $"{Dataset} from {where} ({Images} images, {print})";
    }
}
