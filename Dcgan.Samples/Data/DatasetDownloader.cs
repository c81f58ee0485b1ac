// Downloads a dataset's files from a list of mirrors with HttpClient: each file is checked against its MD5
// while it streams into a temporary file in the target folder, which is renamed into place only when complete
// and verified (the write-to-temp, flush, rename pattern), so a failure never leaves a partial file behind.
namespace Dcgan.Samples.Data;

using System.Net;
using System.Security.Cryptography;
using Dcgan.Data;

/// <summary>What a <see cref="DownloadProgress"/> report is about.</summary>
public enum DownloadStage
{
    /// <summary>A request to a mirror is about to be sent.</summary>
    Started,

    /// <summary>More bytes arrived.</summary>
    Receiving,

    /// <summary>The file arrived, matched its MD5 and was renamed into place (or was already there and valid).</summary>
    Completed,

    /// <summary>This mirror failed for this file (<see cref="DownloadProgress.Message"/> says why); the next one is tried.</summary>
    MirrorFailed,
}

/// <summary>A progress report of <see cref="DatasetDownloader"/>, for the command line to draw.</summary>
/// <param name="FileName">The file being fetched, e.g. train-images-idx3-ubyte.gz.</param>
/// <param name="FileIndex">Its 0-based position in the dataset's file list.</param>
/// <param name="FileCount">The number of files in the list.</param>
/// <param name="Url">The URL being fetched (null for a file found already complete).</param>
/// <param name="Stage">What happened.</param>
/// <param name="BytesReceived">Bytes of this file received so far.</param>
/// <param name="TotalBytes">The file's size when the server sent Content-Length, else null.</param>
/// <param name="Message">Why a mirror failed (<see cref="DownloadStage.MirrorFailed"/>), else null.</param>
public readonly record struct DownloadProgress(
    string FileName,
    int FileIndex,
    int FileCount,
    Uri? Url,
    DownloadStage Stage,
    long BytesReceived,
    long? TotalBytes,
    string? Message);

/// <summary>The outcome of <see cref="DatasetDownloader.DownloadAsync(DatasetInfo, string, Action{DownloadProgress}?, CancellationToken)"/>.</summary>
/// <param name="Succeeded">True when every file is now in the folder with its MD5.</param>
/// <param name="Folder">The target folder.</param>
/// <param name="Downloaded">Names of the files fetched by this call.</param>
/// <param name="Failures">One line per failed attempt ("URL: reason"), in order.</param>
public sealed record DownloadResult(bool Succeeded, string Folder, IReadOnlyList<string> Downloaded, IReadOnlyList<string> Failures)
{
    /// <summary>One line for the user: what failed, or how many files were fetched.</summary>
    public string Summary => Succeeded
        ? $"{Downloaded.Count} file(s) downloaded to {Folder}"
        : Failures.Count == 0 ? "no mirror configured" : string.Join("; ", Failures);
}

/// <summary>
/// Fetches a dataset's files into a folder, trying the mirrors in order for each file (a mirror that failed
/// moves to the back of the list for the following files), verifying each file's MD5, and writing it atomically.
/// Files already present with the right MD5 are kept. Network and server failures are reported in the result,
/// not thrown; only cancellation by the caller throws.
/// The PyTorch equivalent is <c>torchvision.datasets.MNIST(download=True)</c> (its <c>mirrors</c> and <c>resources</c>).
/// </summary>
public sealed class DatasetDownloader : IDisposable
{
    private const int BufferSize = 81_920;

    private readonly HttpClient _client;
    private readonly bool _ownsClient;

    /// <summary>Creates a downloader.</summary>
    /// <param name="client">
    /// The client to use (not disposed by this object); null creates one with a <see cref="ConnectTimeout"/>
    /// on connections and no automatic decompression (the MD5 is of the bytes as published).
    /// </param>
    public DatasetDownloader(HttpClient? client = null)
    {
        if (client is null)
        {
            var handler = new SocketsHttpHandler
            {
                ConnectTimeout = ConnectTimeout,
                AutomaticDecompression = DecompressionMethods.None,
            };
            _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            _client.DefaultRequestHeaders.UserAgent.ParseAdd("dcgan/0.1");
            _ownsClient = true;
        }
        else
        {
            _client = client;
        }
    }

    /// <summary>The connection timeout of the client this class creates itself: 10 s.</summary>
    public static TimeSpan ConnectTimeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait for a response's headers before the mirror counts as failed (default 20 s).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The longest wait for the next bytes of a body before the mirror counts as failed (default 30 s).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Downloads all of <paramref name="dataset"/>'s files into <paramref name="folder"/> (created if needed).</summary>
    public Task<DownloadResult> DownloadAsync(DatasetInfo dataset, string folder, Action<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return DownloadAsync(dataset.Files, dataset.Mirrors, folder, progress, cancellationToken);
    }

    /// <summary>
    /// Downloads <paramref name="files"/> into <paramref name="folder"/>, each from the first mirror that serves it with
    /// the right MD5. Stops at the first file no mirror can serve (the files completed before it stay).
    /// </summary>
    /// <param name="files">The files and their MD5 sums.</param>
    /// <param name="mirrors">Base URLs; a file's URL is the base URL + its name.</param>
    /// <param name="folder">The target folder, created if missing.</param>
    /// <param name="progress">Called on the downloading thread with each report; keep it quick.</param>
    /// <param name="cancellationToken">Cancels the download (throws <see cref="OperationCanceledException"/>; no partial file stays).</param>
    /// <exception cref="IOException">The folder cannot be created.</exception>
    public async Task<DownloadResult> DownloadAsync(
        IReadOnlyList<RemoteFile> files,
        IReadOnlyList<Uri> mirrors,
        string folder,
        Action<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(mirrors);
        ArgumentNullException.ThrowIfNull(folder);
        bool created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        var order = new List<Uri>(mirrors);
        var downloaded = new List<string>();
        var failures = new List<string>();
        for (int index = 0; index < files.Count; index++)
        {
            RemoteFile file = files[index];
            string target = Path.Combine(folder, file.Name);
            if (File.Exists(target) && string.Equals(await Md5OfFileAsync(target, cancellationToken).ConfigureAwait(false), file.Md5, StringComparison.OrdinalIgnoreCase))
            {
                progress?.Invoke(new DownloadProgress(file.Name, index, files.Count, null, DownloadStage.Completed, new FileInfo(target).Length, new FileInfo(target).Length, null));
                continue;
            }

            bool done = false;
            foreach (Uri mirror in order.ToArray())
            {
                var url = new Uri(mirror, file.Name);
                string? error = await TryDownloadAsync(url, file, target, index, files.Count, progress, cancellationToken).ConfigureAwait(false);
                if (error is null)
                {
                    downloaded.Add(file.Name);
                    done = true;
                    break;
                }

                failures.Add($"{url}: {error}");
                progress?.Invoke(new DownloadProgress(file.Name, index, files.Count, url, DownloadStage.MirrorFailed, 0, null, error));
                order.Remove(mirror);
                order.Add(mirror);
            }

            if (!done)
            {
                if (created && !Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder); // leave no trace of a download that never started
                }

                return new DownloadResult(false, folder, downloaded, failures);
            }
        }

        return new DownloadResult(true, folder, downloaded, failures);
    }

    /// <summary>Disposes the client if this object created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    // Returns null on success, else a one-line reason. Throws only when the caller cancels.
    private async Task<string?> TryDownloadAsync(Uri url, RemoteFile file, string target, int index, int count, Action<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        string temp = Path.Combine(folder, $".{file.Name}.{Guid.NewGuid():N}.part");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            progress?.Invoke(new DownloadProgress(file.Name, index, count, url, DownloadStage.Started, 0, null, null));
            timeout.CancelAfter(ResponseTimeout);
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }

            long? total = response.Content.Headers.ContentLength;
            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && mediaType.Contains("html", StringComparison.OrdinalIgnoreCase))
            {
                return $"served an HTML page ({mediaType}) instead of the file";
            }

            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long received = 0;
            await using (Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false))
            await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                byte[] buffer = new byte[BufferSize];
                while (true)
                {
                    timeout.CancelAfter(ReadTimeout);
                    int n = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    if (received == 0 && file.Name.EndsWith(".gz", StringComparison.Ordinal) && !Idx.IsGzip(buffer.AsSpan(0, n)))
                    {
                        return LooksLikeHtml(buffer.AsSpan(0, n))
                            ? "served an HTML page instead of the gzip file"
                            : $"served data that is not gzip (it starts {Convert.ToHexString(buffer, 0, Math.Min(n, 4))}, expected 1F8B)";
                    }

                    md5.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), timeout.Token).ConfigureAwait(false);
                    received += n;
                    progress?.Invoke(new DownloadProgress(file.Name, index, count, url, DownloadStage.Receiving, received, total, null));
                }

                await output.FlushAsync(timeout.Token).ConfigureAwait(false);
                output.Flush(flushToDisk: true);
            }

            if (total is long expected && received != expected)
            {
                return $"received {received} bytes, expected {expected} (connection cut)";
            }

            string actualMd5 = Convert.ToHexStringLower(md5.GetHashAndReset());
            if (!string.Equals(actualMd5, file.Md5, StringComparison.OrdinalIgnoreCase))
            {
                return $"MD5 mismatch: expected {file.Md5.ToLowerInvariant()}, found {actualMd5} ({received} bytes)";
            }

            File.Move(temp, target, overwrite: true);
            progress?.Invoke(new DownloadProgress(file.Name, index, count, url, DownloadStage.Completed, received, total ?? received, null));
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "timed out";
        }
        catch (HttpRequestException e)
        {
            return OneLine(e.Message);
        }
        catch (IOException e)
        {
            return OneLine(e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return OneLine(e.Message);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static async Task<string> Md5OfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        byte[] hash = await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    private static bool LooksLikeHtml(ReadOnlySpan<byte> data)
    {
        data = data.TrimStart(" \t\r\n"u8);
        return data.Length >= 2 && data[0] == (byte)'<' && (data[1] == (byte)'!' || data[1] == (byte)'h' || data[1] == (byte)'H');
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover .part file is hidden and ignored by the reader.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
