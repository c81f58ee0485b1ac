// The dataset download against a local HTTP server: mirrors that 404, serve an HTML page, serve wrong bytes
// (MD5 mismatch), cut the connection or stall are skipped in order; files are written atomically.
namespace Dcgan.Tests.Data;

using Dcgan.Tests.Support;

using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dcgan.Data;
using Dcgan.Samples.Data;

public sealed class DownloadTests : IAsyncLifetime
{
    private static readonly byte[] Labels = [4, 2, 9];

    private readonly byte[] _images = IdxFiles.Gzip(IdxFiles.Images(IdxFiles.Pattern(3), 3));
    private readonly byte[] _labels = IdxFiles.Gzip(IdxFiles.Labels(Labels, 3));
    private readonly byte[] _wrong = IdxFiles.Gzip(IdxFiles.Images(IdxFiles.Pattern(2), 2));
    private TinyHttpServer _server = null!;
    private HttpClient _client = null!;

    private IReadOnlyList<RemoteFile> Files =>
    [
        new(MnistDataset.TrainImagesFile + ".gz", Md5(_images)),
        new(MnistDataset.TrainLabelsFile + ".gz", Md5(_labels)),
    ];

    public ValueTask InitializeAsync()
    {
        _server = new TinyHttpServer(Route);
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Bad_mirrors_are_skipped_in_order_and_the_good_one_is_used()
    {
        using var folder = new TempFolder();
        var reports = new List<DownloadProgress>();
        using var downloader = new DatasetDownloader(_client);
        Uri[] mirrors = [_server.Mirror("missing"), _server.Mirror("html"), _server.Mirror("html-as-binary"), _server.Mirror("wrong"), _server.Mirror("good")];

        DownloadResult result = await downloader.DownloadAsync(Files, mirrors, folder.Path, reports.Add, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal([MnistDataset.TrainImagesFile + ".gz", MnistDataset.TrainLabelsFile + ".gz"], result.Downloaded);
        Assert.Equal(_images, File.ReadAllBytes(Path.Combine(folder.Path, MnistDataset.TrainImagesFile + ".gz")));
        Assert.Equal(_labels, File.ReadAllBytes(Path.Combine(folder.Path, MnistDataset.TrainLabelsFile + ".gz")));
        Assert.Equal(2, Directory.GetFiles(folder.Path).Length);

        string[] failures = reports.Where(r => r.Stage == DownloadStage.MirrorFailed && r.FileIndex == 0).Select(r => $"{r.Url} {r.Message}").ToArray();
        Assert.Equal(4, failures.Length);
        Assert.Contains("/missing/", failures[0]);
        Assert.Contains("404", failures[0]);
        Assert.Contains("/html/", failures[1]);
        Assert.Contains("HTML page", failures[1]);
        Assert.Contains("/html-as-binary/", failures[2]);
        Assert.Contains("HTML page", failures[2]);
        Assert.Contains("/wrong/", failures[3]);
        Assert.Contains("MD5 mismatch", failures[3]);
        Assert.Contains(Md5(_images), failures[3]);

        // The failed mirrors moved behind the good one, so the second file came from it at once.
        Assert.DoesNotContain(reports, r => r.Stage == DownloadStage.MirrorFailed && r.FileIndex == 1);
        Assert.Contains(reports, r => r.Stage == DownloadStage.Receiving && r.TotalBytes == _images.Length && r.BytesReceived == _images.Length);
        Assert.Equal(2, reports.Count(r => r.Stage == DownloadStage.Completed));

        MnistDataset data = MnistDataset.Load(folder.Path);
        Assert.Equal(Labels, data.Labels);
        Assert.Equal(IdxFiles.Pattern(3), data.RawImages);
    }

    [Fact]
    public async Task Connection_cut_midway_leaves_no_file_behind()
    {
        using var folder = new TempFolder();
        using var downloader = new DatasetDownloader(_client);

        DownloadResult result = await downloader.DownloadAsync(Files, [_server.Mirror("cut")], folder.Path, null, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Single(result.Failures);
        Assert.Contains("/cut/", result.Failures[0]);
        Assert.Equal("", folder.Listing());
        Assert.Single(_server.Requests); // it stopped at the first file no mirror could serve
    }

    [Fact]
    public async Task Stalled_mirror_times_out_and_keeps_the_old_file_intact()
    {
        using var folder = new TempFolder();
        string target = folder.Write(MnistDataset.TrainImagesFile + ".gz", Encoding.ASCII.GetBytes("an old, damaged file"));
        using var downloader = new DatasetDownloader(_client) { ReadTimeout = TimeSpan.FromMilliseconds(300) };

        DownloadResult result = await downloader.DownloadAsync(Files, [_server.Mirror("stall")], folder.Path, null, TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Contains("timed out", result.Summary);
        Assert.Equal("an old, damaged file", File.ReadAllText(target));
        Assert.Equal($"{MnistDataset.TrainImagesFile}.gz 20", folder.Listing());
    }

    [Fact]
    public async Task Valid_files_already_present_are_not_fetched_again()
    {
        using var folder = new TempFolder();
        folder.Write(MnistDataset.TrainImagesFile + ".gz", _images);
        using var downloader = new DatasetDownloader(_client);

        DownloadResult result = await downloader.DownloadAsync(Files, [_server.Mirror("good")], folder.Path, null, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Summary);
        Assert.Equal([MnistDataset.TrainLabelsFile + ".gz"], result.Downloaded);
        Assert.Equal(["/good/" + MnistDataset.TrainLabelsFile + ".gz"], _server.Requests.ToArray());
    }

    [Fact]
    public async Task Resolver_downloads_into_the_cache_then_reads_the_cache()
    {
        using var cache = new TempFolder();
        using var downloader = new DatasetDownloader(_client);
        var request = new DatasetRequest
        {
            Dataset = DatasetInfo.Mnist with { Files = Files, Mirrors = [_server.Mirror("missing"), _server.Mirror("good")] },
            CacheRoot = cache.Path,
        };

        DatasetResolution first = await DatasetResolver.ResolveAsync(request, downloader, TestContext.Current.CancellationToken);
        int requests = _server.Requests.Count;
        DatasetResolution second = await DatasetResolver.ResolveAsync(request, downloader, TestContext.Current.CancellationToken);

        Assert.Equal(DataSource.Downloaded, first.Source);
        Assert.Equal(Labels, first.Dataset.Labels);
        Assert.Equal(Path.Combine(cache.Path, "mnist"), first.Folder);
        Assert.Equal(DataSource.Cache, second.Source);
        Assert.Equal(Labels, second.Dataset.Labels);
        Assert.Equal(requests, _server.Requests.Count);
        Assert.Contains(second.Folder!, second.Message);
    }

    [Fact]
    public async Task A_failed_download_is_an_error_not_a_quiet_switch_to_the_embedded_sample()
    {
        using var cache = new TempFolder();
        using var downloader = new DatasetDownloader(_client);
        var request = new DatasetRequest
        {
            Dataset = DatasetInfo.Mnist with { Files = Files, Mirrors = [_server.Mirror("missing"), _server.Mirror("wrong")] },
            CacheRoot = cache.Path,
        };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetResolver.ResolveAsync(request, downloader, TestContext.Current.CancellationToken));

        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("--download", e.Message);
        Assert.Contains("404", e.Message);
        Assert.Contains("MD5 mismatch", e.Message);
        Assert.Contains("embedded", e.Message);
        Assert.Equal("", cache.Listing());
        Assert.False(Directory.Exists(Path.Combine(cache.Path, "mnist")), "the cache folder created for the failed download should be removed");
    }

    [Fact]
    public async Task Fashion_mnist_without_a_source_throws_instead_of_using_digits()
    {
        using var cache = new TempFolder();
        using var downloader = new DatasetDownloader(_client);
        var request = new DatasetRequest
        {
            Dataset = DatasetInfo.FashionMnist with { Files = Files, Mirrors = [_server.Mirror("missing")], SystemFolder = Path.Combine(cache.Path, "no-such-system-folder") },
            CacheRoot = cache.Path,
        };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => DatasetResolver.ResolveAsync(request, downloader, TestContext.Current.CancellationToken));

        Assert.Contains("Fashion-MNIST", e.Message);
        Assert.Contains("404", e.Message);
        Assert.Contains("--data", e.Message);
    }

    private static string Md5(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));

    private Reply Route(string path)
    {
        string[] parts = path.Trim('/').Split('/');
        string mirror = parts[0];
        string file = parts.Length > 1 ? parts[1] : "";
        byte[]? body = file switch
        {
            _ when file == MnistDataset.TrainImagesFile + ".gz" => _images,
            _ when file == MnistDataset.TrainLabelsFile + ".gz" => _labels,
            _ => null,
        };
        if (body is null)
        {
            return Reply.NotFound();
        }

        byte[] page = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>Please sign in</body></html>");
        return mirror switch
        {
            "good" => new Reply(200, body),
            "html" => new Reply(200, page, "text/html; charset=utf-8"),
            "html-as-binary" => new Reply(200, page),
            "wrong" => new Reply(200, _wrong),
            "cut" => new Reply(200, body) { SendBytes = body.Length / 2 },
            "stall" => new Reply(200, body) { SendBytes = body.Length / 2, Stall = true },
            _ => Reply.NotFound(),
        };
    }
}
