// Finds the training data for the dcgan tool: --data DIR, else the system package's folder (Fashion-MNIST on
// Debian), else the cache folder ($DCGAN_DATA or the user's cache directory), else a download into the cache,
// else (MNIST only) the embedded 10,000-image sample, and says in one line which source was used and why.
namespace Dcgan.Samples.Data;

using Dcgan.Data;

/// <summary>Where <see cref="DatasetResolver"/> found the data.</summary>
public enum DataSource
{
    /// <summary>The folder given with <c>--data</c>.</summary>
    Folder,

    /// <summary>The folder a system package installs the dataset to (<see cref="DatasetInfo.SystemFolder"/>).</summary>
    SystemFolder,

    /// <summary>The cache folder, filled by an earlier download or by hand.</summary>
    Cache,

    /// <summary>The cache folder, just filled by a download.</summary>
    Downloaded,

    /// <summary>The MNIST sample compiled into the tool (10,000 images).</summary>
    Embedded,
}

/// <summary>The data found, where it came from, and one line for the user saying so.</summary>
/// <param name="Dataset">The images and labels.</param>
/// <param name="Source">Where they came from.</param>
/// <param name="Message">One line: what was read from where, and why (for a fallback, what failed).</param>
/// <param name="Folder">The folder read, or null for the embedded sample.</param>
public sealed record DatasetResolution(MnistDataset Dataset, DataSource Source, string Message, string? Folder);

/// <summary>What <see cref="DatasetResolver.ResolveAsync"/> should look for.</summary>
public sealed class DatasetRequest
{
    /// <summary>The dataset (default MNIST); tests substitute files, mirrors or the system folder with <c>with</c>.</summary>
    public DatasetInfo Dataset { get; init; } = DatasetInfo.Mnist;

    /// <summary>The folder given with <c>--data</c>, or null. When set, only this folder is read and its errors are thrown.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Training (default) or test set.</summary>
    public MnistSplit Split { get; init; } = MnistSplit.Train;

    /// <summary>The cache root holding one folder per dataset; null means <see cref="DatasetResolver.DefaultCacheRoot"/>.</summary>
    public string? CacheRoot { get; init; }

    /// <summary>Whether a missing dataset may be downloaded (default true).</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Receives download progress reports (on the downloading thread).</summary>
    public Action<DownloadProgress>? Progress { get; init; }
}

/// <summary>Resolves a <see cref="DatasetRequest"/> to data in memory.</summary>
public static class DatasetResolver
{
    /// <summary>The environment variable naming the cache root (one folder per dataset inside: mnist/, fashion-mnist/).</summary>
    public const string CacheVariable = "DCGAN_DATA";

    /// <summary>
    /// The cache root: <c>$DCGAN_DATA</c> when set; else <c>$XDG_CACHE_HOME/dcgan</c> or <c>~/.cache/dcgan</c> on Linux,
    /// <c>~/Library/Caches/dcgan</c> on macOS, <c>%LOCALAPPDATA%\dcgan\cache</c> on Windows.
    /// </summary>
    public static string DefaultCacheRoot()
    {
        string? configured = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "dcgan", "cache");
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Caches", "dcgan");
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        return Path.Combine(string.IsNullOrWhiteSpace(xdg) || !Path.IsPathRooted(xdg) ? Path.Combine(home, ".cache") : xdg, "dcgan");
    }

    /// <summary>The cache folder of a dataset: <paramref name="cacheRoot"/> (or the default root) / <see cref="DatasetInfo.Name"/>.</summary>
    public static string CacheFolder(DatasetInfo dataset, string? cacheRoot = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return Path.Combine(cacheRoot ?? DefaultCacheRoot(), dataset.Name);
    }

    /// <summary>
    /// Finds and reads the data: <see cref="DatasetRequest.DataDirectory"/> when given; else the system folder,
    /// the cache folder, a download into the cache folder, and for MNIST the embedded sample, in that order.
    /// </summary>
    /// <param name="request">What to look for.</param>
    /// <param name="downloader">The downloader to use; null creates one for this call.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <exception cref="DirectoryNotFoundException">The <c>--data</c> folder does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file in the folder read is not valid, or the <c>--data</c> folder lacks the files, or a download was asked for
    /// (<see cref="DatasetRequest.AllowDownload"/>) and failed, or a dataset without an embedded stand-in
    /// (Fashion-MNIST) is nowhere to be found.
    /// </exception>
    public static async Task<DatasetResolution> ResolveAsync(DatasetRequest request, DatasetDownloader? downloader = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        DatasetInfo info = request.Dataset;
        string what = $"{info.DisplayName} {(request.Split == MnistSplit.Train ? "training" : "test")} set";
        if (request.DataDirectory is string dir)
        {
            MnistDataset data = MnistDataset.Load(dir, request.Split);
            return new(data, DataSource.Folder, $"Read the {what} ({data.Count} images) from {dir}.", dir);
        }

        if (info.SystemFolder is string system && MnistDataset.HasFiles(system, request.Split))
        {
            MnistDataset data = MnistDataset.Load(system, request.Split);
            return new(data, DataSource.SystemFolder, $"Read the {what} ({data.Count} images) from {system}.", system);
        }

        string cache = CacheFolder(info, request.CacheRoot);
        if (MnistDataset.HasFiles(cache, request.Split))
        {
            MnistDataset data = MnistDataset.Load(cache, request.Split);
            return new(data, DataSource.Cache, $"Read the {what} ({data.Count} images) from the cache {cache}.", cache);
        }

        string why;
        if (!request.AllowDownload)
        {
            why = $"{info.DisplayName} is not in {cache} and downloading is off (dcgan train --download fetches it)";
        }
        else
        {
            DownloadResult result;
            DatasetDownloader? owned = downloader is null ? new DatasetDownloader() : null;
            try
            {
                result = await (downloader ?? owned!).DownloadAsync(info, cache, request.Progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                result = new DownloadResult(false, cache, [], [$"{cache}: {e.Message.ReplaceLineEndings(" ")}"]);
            }
            finally
            {
                owned?.Dispose();
            }

            if (result.Succeeded)
            {
                MnistDataset data = MnistDataset.Load(cache, request.Split);
                return new(data, DataSource.Downloaded, $"Downloaded {info.DisplayName} to {cache}; read the {what} ({data.Count} images).", cache);
            }

            // Asked for and failed: an error, never a quiet switch to other data (the files already there were used above).
            string instead = info.EmbeddedFallback ? "run without --download to train on the embedded 10,000-digit sample, or " : string.Empty;
            throw new InvalidDataException(
                $"--download: could not download {info.DisplayName} into {cache} ({result.Summary}); {instead}pass --data DIR with its train-images-idx3-ubyte and train-labels-idx1-ubyte files (raw or .gz).");
        }

        if (!info.EmbeddedFallback)
        {
            string places = info.SystemFolder is null ? string.Empty : $"{info.SystemFolder} holds no copy, and ";
            throw new InvalidDataException($"{info.DisplayName}: {places}{why}; pass --data DIR with its train-images-idx3-ubyte and train-labels-idx1-ubyte files (raw or .gz).");
        }

        MnistDataset sample = EmbeddedMnist.Load();
        return new(sample, DataSource.Embedded, $"Using the embedded MNIST sample ({sample.Count} training images): {why}.", null);
    }
}
