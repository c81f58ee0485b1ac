// --dataset folder and --dataset cifar10 as training images: the folder listed, the decoded bytes taken from the cache
// when its key (file list, sizes, times, image size, channels, background) matches, else decoded and cached; one line saying which,
// warnings for files skipped, and errors naming the path for a folder without images or with none that decodes.
namespace Dcgan.Samples.Data;

using System.Diagnostics;
using System.Globalization;
using Dcgan.Samples.Training;

/// <summary>What <see cref="FolderDataset.Load"/> read, with the one-line message and the warnings to show.</summary>
/// <param name="Images">The images.</param>
/// <param name="Message">One line: how many images were read from where (the folder, or the cache of the folder), and how fast.</param>
/// <param name="Warnings">Files skipped (undecodable; links to a folder read through another path or to nothing), one line each kind.</param>
/// <param name="CacheState">What was found in the cache (Read when the images came from it).</param>
public sealed record FolderLoad(TrainingImages Images, string Message, IReadOnlyList<string> Warnings, CacheState CacheState);

/// <summary>Loads <c>--dataset folder</c> and <c>--dataset cifar10</c>.</summary>
public static class FolderDataset
{
    /// <summary>How many skipped files a warning names.</summary>
    public const int NamedSkips = 3;

    /// <summary>
    /// Reads every image under <paramref name="folder"/> at <paramref name="size"/>×<paramref name="size"/> with
    /// <paramref name="channels"/> channels, from the cache under <paramref name="cacheRoot"/> when it is current.
    /// </summary>
    /// <param name="folder">The --data folder.</param>
    /// <param name="size">S.</param>
    /// <param name="channels">1 or 3.</param>
    /// <param name="cacheRoot">The data cache root (<see cref="DatasetResolver.DefaultCacheRoot"/>); null leaves the cache out.</param>
    /// <param name="progress">Decoding progress (not called when the cache is used).</param>
    /// <param name="threads">Decoding threads; 0 = every core.</param>
    /// <param name="background">--background: the colour transparent pixels are composited onto; null (none) drops alpha.</param>
    /// <param name="limit">
    /// --limit: without a current cache, decode only the first files (in path order) until this many images decoded, and
    /// cache nothing (a partial decode); null decodes every file.
    /// </param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no image file, or none of them decodes.</exception>
    public static FolderLoad Load(string folder, int size, int channels, string? cacheRoot, Action<DecodeProgress>? progress = null, int threads = 0, ImageBackground? background = null, int? limit = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var clock = Stopwatch.StartNew();
        FolderListing listing = ImageFolder.List(folder);
        var warnings = new List<string>();
        if (listing.SkippedLinks.Count > 0)
        {
            warnings.Add($"{folder}: skipped {Count(listing.SkippedLinks.Count, "symbolic link")} to a folder read through another path, or to nothing: {Names(listing.SkippedLinks)}.");
        }

        if (listing.Images.Count == 0)
        {
            string others = listing.OtherFiles == 0 ? "no files at all" : $"only {Count(listing.OtherFiles, "other file")}";
            throw new InvalidDataException($"{folder}: expected image files ({string.Join(", ", ImageFolder.Extensions)}) in the folder or below it, found {others}.");
        }

        string shape = $"{size}×{size} {(channels == 3 ? "RGB" : "grey")}{(background is { } b ? $" over {b}" : string.Empty)}";
        byte[] key = ImageCache.Key(listing.Images, size, channels, background);
        string? cacheFile = cacheRoot is null ? null : ImageCache.PathFor(cacheRoot, folder, size, channels, background);
        CacheState state = CacheState.Missing;
        if (cacheFile is not null)
        {
            state = ImageCache.TryRead(cacheFile, key, size, channels, out ImageBuffer? cached, out string skippedText);
            if (state == CacheState.Read)
            {
                (int skippedCount, List<string> named) = ParseSkipped(skippedText);
                if (skippedCount > 0)
                {
                    warnings.Add(SkipWarning(folder, skippedCount, listing.Images.Count, named));
                }

                var fromCache = Wrap(cached!, size, channels, folder);
                return new FolderLoad(fromCache, $"Read {fromCache.Count:N0} images ({shape}) from the cache of {folder} ({cacheFile}) in {clock.Elapsed.TotalSeconds:F1} s.", warnings, state);
            }

            if (state == CacheState.Damaged)
            {
                warnings.Add($"{cacheFile}: the cache of {folder} is damaged; ignored it and decoding again.");
            }
        }

        var decodeClock = Stopwatch.StartNew();
        IReadOnlyList<ImageFile> files = listing.Images;
        DecodedFolder decoded;
        if (limit is int wanted && wanted < files.Count)
        {
            // The first files only; when some of them do not decode, a longer prefix (the skips show how many to add).
            int take = wanted;
            while (true)
            {
                decoded = ImageFolder.Decode(files.Take(take).ToList(), size, channels, progress, threads, background);
                if (decoded.Images.Count >= wanted || take == files.Count)
                {
                    break;
                }

                take = (int)Math.Min(files.Count, take + (2L * (wanted - decoded.Images.Count)) + 16);
            }

            files = files.Take(take).ToList();
        }
        else
        {
            decoded = ImageFolder.Decode(files, size, channels, progress, threads, background);
        }

        double seconds = decodeClock.Elapsed.TotalSeconds;
        bool partial = files.Count < listing.Images.Count;
        if (decoded.Images.Count == 0)
        {
            throw new InvalidDataException($"{folder}: none of its {(partial ? "first " : string.Empty)}{Count(files.Count, "image file")} could be decoded ({string.Join("; ", decoded.Skipped.Take(NamedSkips).Select(s => $"{s.Path}: {s.Reason}"))}{(decoded.Skipped.Count > NamedSkips ? "; …" : string.Empty)}).");
        }

        List<string> skippedNames = decoded.Skipped.Take(NamedSkips).Select(s => $"{s.Path} ({s.Reason})").ToList();
        if (decoded.Skipped.Count > 0)
        {
            warnings.Add(SkipWarning(folder, decoded.Skipped.Count, files.Count, skippedNames));
        }

        if (background is null && decoded.Transparent > 0)
        {
            warnings.Add($"{folder}: {decoded.Transparent:N0} of the {decoded.Images.Count:N0} images have transparent pixels, kept as the colour stored under them (alpha dropped, as torchvision's ImageFolder); --background white (or black, or #RRGGBB) composites them over a colour instead.");
        }

        string cacheNote = partial ? $"; not cached: --limit {limit} decoded the first {files.Count:N0} of {listing.Images.Count:N0} image files only" : string.Empty;
        if (cacheFile is not null && !partial)
        {
            try
            {
                ImageCache.Write(cacheFile, key, size, channels, decoded.Images, FormatSkipped(decoded.Skipped.Count, skippedNames));
                cacheNote = state == CacheState.Stale ? $"; the files changed, so the cache was rebuilt: {cacheFile}" : $"; cached in {cacheFile}";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                warnings.Add($"{cacheFile}: could not write the cache ({Terminal.ErrorOutput.OneLine(e.Message)}); the next run decodes again.");
            }
        }

        var images = Wrap(decoded.Images, size, channels, folder);
        double rate = files.Count / Math.Max(seconds, 1e-9);
        return new FolderLoad(images, $"Decoded {images.Count:N0} images ({shape}) from {folder} in {seconds:F1} s ({rate.ToString("N0", CultureInfo.InvariantCulture)} images/s){cacheNote}.", warnings, state);
    }

    /// <summary>Reads the CIFAR-10 training batches under <paramref name="folder"/> (see <see cref="Cifar10.Load"/>).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Files are missing or have a wrong size.</exception>
    public static FolderLoad LoadCifar10(string folder, int size, int channels)
    {
        (ImageBuffer images, byte[] labels, string where) = Cifar10.Load(folder, size, channels);
        var data = new TrainingImages(images, channels, size, size, where)
        {
            Dataset = DataDefaults.Cifar10,
            Origin = "folder",
            Folder = where,
            Labels = labels,
        };
        string resized = size == Cifar10.Side ? string.Empty : $", resized to {size}×{size}";
        return new FolderLoad(data, $"Read the CIFAR-10 training set ({data.Count:N0} images, {(channels == 3 ? "RGB" : "grey")}{resized}) from {where}.", [], CacheState.Missing);
    }

    private static TrainingImages Wrap(ImageBuffer images, int size, int channels, string folder) =>
        new(images, channels, size, size, folder)
        {
            Dataset = DataDefaults.Folder,
            Origin = "folder",
            Folder = folder,
        };

    private static string SkipWarning(string folder, int skipped, int total, IReadOnlyList<string> named) =>
        $"{folder}: skipped {skipped:N0} of {Count(total, "image file")} that could not be decoded: {string.Join(", ", named)}{(skipped > named.Count ? $" and {skipped - named.Count:N0} more" : string.Empty)}.";

    // The skipped files kept in the cache: the count on the first line, then the named ones.
    private static string FormatSkipped(int count, IEnumerable<string> named) =>
        string.Join("\n", named.Prepend(count.ToString(CultureInfo.InvariantCulture)));

    private static (int Count, List<string> Named) ParseSkipped(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length > 0 && int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? (n, lines[1..].ToList()) : (0, []);
    }

    private static string Names(IReadOnlyList<string> paths) =>
        string.Join(", ", paths.Take(NamedSkips)) + (paths.Count > NamedSkips ? $" and {paths.Count - NamedSkips} more" : string.Empty);

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} {noun}s";
}
