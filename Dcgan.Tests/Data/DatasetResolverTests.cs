// Dataset resolution without the network: --data folders, the system folder, no-download fallback,
// --dataset names, the cache root from $DCGAN_DATA, and the mirror lists' shape.
namespace Dcgan.Tests.Data;

using Dcgan.Tests.Support;

using Dcgan.Data;
using Dcgan.Samples.Data;

public class DatasetResolverTests
{
    [Fact]
    public async Task Data_folder_is_read_and_its_errors_are_not_hidden()
    {
        using var folder = new TempFolder();
        folder.Write(MnistDataset.TrainImagesFile, IdxFiles.Images(IdxFiles.Pattern(3), 3));
        folder.Write(MnistDataset.TrainLabelsFile + ".gz", IdxFiles.Gzip(IdxFiles.Labels([1, 2, 3], 3)));
        using var empty = new TempFolder();

        DatasetResolution resolution = await DatasetResolver.ResolveAsync(new DatasetRequest { DataDirectory = folder.Path, AllowDownload = false }, null, TestContext.Current.CancellationToken);

        Assert.Equal(DataSource.Folder, resolution.Source);
        Assert.Equal([1, 2, 3], resolution.Dataset.Labels);
        Assert.Contains(folder.Path, resolution.Message);
        await Assert.ThrowsAsync<InvalidDataException>(() => DatasetResolver.ResolveAsync(new DatasetRequest { DataDirectory = empty.Path }, null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Fashion_mnist_is_read_from_the_system_folder_when_present()
    {
        using var system = new TempFolder();
        using var cache = new TempFolder();
        system.Write(MnistDataset.TrainImagesFile + ".gz", IdxFiles.Gzip(IdxFiles.Images(IdxFiles.Pattern(3), 3)));
        system.Write(MnistDataset.TrainLabelsFile + ".gz", IdxFiles.Gzip(IdxFiles.Labels([9, 8, 7], 3)));
        var request = new DatasetRequest
        {
            Dataset = DatasetInfo.FashionMnist with { SystemFolder = system.Path },
            CacheRoot = cache.Path,
            AllowDownload = false,
        };

        DatasetResolution resolution = await DatasetResolver.ResolveAsync(request, null, TestContext.Current.CancellationToken);

        Assert.Equal(DataSource.SystemFolder, resolution.Source);
        Assert.Equal([9, 8, 7], resolution.Dataset.Labels);
        Assert.Contains("Fashion-MNIST", resolution.Message);
    }

    [Fact]
    public async Task Without_downloads_mnist_falls_back_to_the_embedded_sample()
    {
        using var cache = new TempFolder();

        DatasetResolution resolution = await DatasetResolver.ResolveAsync(new DatasetRequest { CacheRoot = cache.Path, AllowDownload = false }, null, TestContext.Current.CancellationToken);

        Assert.Equal(DataSource.Embedded, resolution.Source);
        Assert.Equal(EmbeddedMnist.Count, resolution.Dataset.Count);
        Assert.Contains("downloading is off", resolution.Message);
        Assert.Equal("", cache.Listing());
    }

    [Fact]
    public void Dataset_names_parse_and_unknown_ones_list_the_choices()
    {
        Assert.Same(DatasetInfo.Mnist, DatasetInfo.Parse("mnist"));
        Assert.Same(DatasetInfo.FashionMnist, DatasetInfo.Parse("Fashion-MNIST"));
        var e = Assert.Throws<ArgumentException>(() => DatasetInfo.Parse("cifar10"));
        Assert.Contains("cifar10", e.Message);
        Assert.Contains("mnist, fashion-mnist", e.Message);
    }

    [Fact]
    public void Catalogue_lists_four_files_with_md5_sums_and_mirrors_ending_in_a_slash()
    {
        foreach (DatasetInfo info in new[] { DatasetInfo.Mnist, DatasetInfo.FashionMnist })
        {
            Assert.Equal(
                ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"],
                info.Files.Select(f => f.Name));
            Assert.All(info.Files, f => Assert.Matches("^[0-9a-f]{32}$", f.Md5));
            Assert.NotEmpty(info.Mirrors);
            Assert.All(info.Mirrors, m => Assert.EndsWith("/", m.AbsoluteUri));
        }

        Assert.Equal("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", new Uri(DatasetInfo.Mnist.Mirrors[0], DatasetInfo.Mnist.Files[0].Name).AbsoluteUri);
        Assert.Equal("/usr/share/datasets/fashion-mnist", DatasetInfo.FashionMnist.SystemFolder);
    }

    [Fact]
    public void Cache_root_comes_from_DCGAN_DATA_when_set()
    {
        string? saved = Environment.GetEnvironmentVariable(DatasetResolver.CacheVariable);
        try
        {
            Environment.SetEnvironmentVariable(DatasetResolver.CacheVariable, "/data/dcgan-cache");
            Assert.Equal("/data/dcgan-cache", DatasetResolver.DefaultCacheRoot());
            Assert.Equal(Path.Combine("/data/dcgan-cache", "fashion-mnist"), DatasetResolver.CacheFolder(DatasetInfo.FashionMnist));
            Environment.SetEnvironmentVariable(DatasetResolver.CacheVariable, null);
            string root = DatasetResolver.DefaultCacheRoot();
            Assert.EndsWith("dcgan", root);
            Assert.True(Path.IsPathRooted(root), root);
        }
        finally
        {
            Environment.SetEnvironmentVariable(DatasetResolver.CacheVariable, saved);
        }
    }
}
