// The MNIST IDX reader on good files (raw and gzip, round-tripped) and on each kind of bad file: every error
// must be one InvalidDataException line naming the file, what was expected and what was found.
namespace Dcgan.Tests.Data;

using Dcgan.Tests.Support;

using Dcgan.Data;

public class IdxReaderTests
{
    private const string ImagesName = "train-images-idx3-ubyte";
    private const string LabelsName = "train-labels-idx1-ubyte";
    private static readonly byte[] ThreeLabels = [7, 0, 9];

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Good_files_round_trip(bool gzipImages, bool gzipLabels)
    {
        using var folder = new TempFolder();
        byte[] pixels = IdxFiles.Pattern(3);
        byte[] images = IdxFiles.Images(pixels, 3);
        byte[] labels = IdxFiles.Labels(ThreeLabels, 3);
        folder.Write(gzipImages ? ImagesName + ".gz" : ImagesName, gzipImages ? IdxFiles.Gzip(images) : images);
        folder.Write(gzipLabels ? LabelsName + ".gz" : LabelsName, gzipLabels ? IdxFiles.Gzip(labels) : labels);

        MnistDataset data = MnistDataset.Load(folder.Path);

        Assert.Equal(3, data.Count);
        Assert.Equal(pixels, data.RawImages);
        Assert.Equal(ThreeLabels, data.Labels);
        float[] scaled = data.Images;
        Assert.Equal(3 * IdxFiles.Pixels, scaled.Length);
        double worst = 0;
        for (int i = 0; i < pixels.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(scaled[i] - ((pixels[i] / 127.5) - 1.0)));
        }

        Assert.True(worst < 1e-6, $"worst |x/127.5 − 1 − image| = {worst}");
        int zero = Array.IndexOf(pixels, (byte)0);
        int full = Array.IndexOf(pixels, (byte)255);
        Assert.True(zero >= 0 && full >= 0, "the pattern must contain 0 and 255");
        Assert.Equal(-1f, scaled[zero]);
        Assert.Equal(1f, scaled[full]);
    }

    [Fact]
    public void Test_split_and_gzip_with_a_file_name_in_its_header()
    {
        using var folder = new TempFolder();
        byte[] pixels = IdxFiles.Pattern(3);
        byte[] gz = IdxFiles.GzipWithName(IdxFiles.Images(pixels, 3), "t10k-images-idx3-ubyte");
        Assert.Equal([0x1F, 0x8B, 0x08, 0x08], gz[..4]);
        folder.Write("t10k-images-idx3-ubyte.gz", gz);
        folder.Write("t10k-labels-idx1-ubyte", IdxFiles.Labels(ThreeLabels, 3));

        MnistDataset data = MnistDataset.Load(folder.Path, MnistSplit.Test);

        Assert.Equal(pixels, data.RawImages);
        Assert.Equal(ThreeLabels, data.Labels);
        Assert.False(MnistDataset.HasFiles(folder.Path, MnistSplit.Train));
        Assert.True(MnistDataset.HasFiles(folder.Path, MnistSplit.Test));
    }

    [Fact]
    public void Streams_load_and_copy_image_scales_one_image()
    {
        byte[] pixels = IdxFiles.Pattern(3);
        using var images = new MemoryStream(IdxFiles.Gzip(IdxFiles.Images(pixels, 3)));
        using var labels = new MemoryStream(IdxFiles.Labels(ThreeLabels, 3));

        MnistDataset data = MnistDataset.Load(images, labels, "images.gz", "labels");

        var one = new float[IdxFiles.Pixels];
        data.CopyImage(2, one);
        Assert.Equal(data.Images.AsSpan(2 * IdxFiles.Pixels, IdxFiles.Pixels).ToArray(), one);
        Assert.Equal(MnistDataset.Scale(pixels[2 * IdxFiles.Pixels]), one[0]);
        Assert.Equal(2, data.Take(2).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.CopyImage(3, one));
    }

    [Fact]
    public void Byte_swapped_header_says_so()
    {
        byte[] littleEndian = IdxFiles.Images(IdxFiles.Pattern(3), 3);
        littleEndian[0] = 0x03; // 03 08 00 00: 2051 written little-endian
        littleEndian[1] = 0x08;
        littleEndian[2] = 0;
        littleEndian[3] = 0;
        string message = LoadBad(ImagesName, littleEndian);
        AssertMentions(message, ImagesName, "2051", "50855936", "byte-swapped");
    }

    [Fact]
    public void Gzip_read_as_raw_says_it_looks_compressed()
    {
        // Only possible when gzip detection is bypassed: hand the compressed bytes to the raw parser.
        byte[] gz = IdxFiles.GzipWithName(IdxFiles.Images(IdxFiles.Pattern(3), 3), ImagesName);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ParseImages(gz, ImagesName + ".gz"));
        AssertOneLine(e.Message);
        AssertMentions(e.Message, ImagesName + ".gz", "2051", "529205256", "1F 8B 08 08", "gzip-compressed");
    }

    [Theory]
    [InlineData("<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head></html>\n")]
    [InlineData("<html>\r\n<body>Access denied</body></html>")]
    public void Html_page_saved_as_data_file_says_so(string page)
    {
        string message = LoadBad(ImagesName + ".gz", System.Text.Encoding.UTF8.GetBytes(page));
        AssertMentions(message, ImagesName + ".gz", "2051", "HTML page", page[..2]);
    }

    [Fact]
    public void Truncated_image_file_gives_expected_and_actual_bytes()
    {
        byte[] full = IdxFiles.Images(IdxFiles.Pattern(3), 3);
        byte[] cut = full[..(16 + (2 * IdxFiles.Pixels) + 400)];
        string message = LoadBad(ImagesName, cut);
        AssertMentions(message, ImagesName, "16 + 3·784 = 2368 bytes", $"found {cut.Length}", "truncated");
    }

    [Fact]
    public void Truncated_label_file_gives_expected_and_actual_bytes()
    {
        string message = LoadBad(ImagesName, IdxFiles.Images(IdxFiles.Pattern(3), 3), IdxFiles.Labels([7, 0], 3));
        AssertMentions(message, LabelsName, "8 + 3 = 11 bytes", "found 10", "truncated");
    }

    [Fact]
    public void Truncated_gzip_file_is_reported_with_its_name()
    {
        byte[] gz = IdxFiles.Gzip(IdxFiles.Images(IdxFiles.Pattern(3), 3));
        string message = LoadBad(ImagesName + ".gz", gz[..(gz.Length / 2)]);
        // .NET's GZipStream returns what it could inflate, so the size check catches the cut.
        AssertMentions(message, ImagesName + ".gz", "2368 bytes", "after decompression", "truncated");
    }

    [Fact]
    public void Header_shorter_than_16_bytes_is_truncated()
    {
        string message = LoadBad(ImagesName, IdxFiles.Images([], 3)[..10]);
        AssertMentions(message, ImagesName, "16-byte", "found 10 bytes", "truncated");
    }

    [Fact]
    public void Extra_bytes_after_the_data_are_reported()
    {
        byte[] file = [.. IdxFiles.Images(IdxFiles.Pattern(3), 3), 1, 2, 3];
        string message = LoadBad(ImagesName, file);
        AssertMentions(message, ImagesName, "2368 bytes", "found 2371", "3 extra bytes");
    }

    [Fact]
    public void Image_and_label_counts_that_differ_are_reported()
    {
        string message = LoadBad(ImagesName, IdxFiles.Images(IdxFiles.Pattern(3), 3), IdxFiles.Labels([1, 2, 3, 4], 4));
        AssertMentions(message, LabelsName, ImagesName, "expected 3 labels", "found 4");
    }

    [Fact]
    public void Rows_and_columns_other_than_28_are_reported()
    {
        string message = LoadBad(ImagesName, IdxFiles.Images(new byte[2 * 32 * 32], 2, rows: 32, columns: 32));
        AssertMentions(message, ImagesName, "28×28", "found 32×32");
    }

    [Fact]
    public void Label_file_in_place_of_the_image_file_is_reported()
    {
        string message = LoadBad(ImagesName, IdxFiles.Labels(ThreeLabels, 3));
        AssertMentions(message, ImagesName, "2051", "found 2049", "swapped?).");
    }

    [Fact]
    public void Empty_folder_names_the_expected_files()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(folder.Path));
        AssertOneLine(e.Message);
        AssertMentions(e.Message, folder.Path, ImagesName + "[.gz]", LabelsName + "[.gz]", "empty folder");
        Assert.Equal("", folder.Listing());
    }

    [Fact]
    public void Folder_with_other_files_lists_them()
    {
        using var folder = new TempFolder();
        folder.Write("mnist.zip", [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(folder.Path));
        AssertMentions(e.Message, ImagesName + "[.gz]", "only mnist.zip");
    }

    [Fact]
    public void Missing_label_file_is_named()
    {
        using var folder = new TempFolder();
        folder.Write(ImagesName + ".gz", IdxFiles.Gzip(IdxFiles.Images(IdxFiles.Pattern(3), 3)));
        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(folder.Path));
        AssertOneLine(e.Message);
        AssertMentions(e.Message, LabelsName + "[.gz]", "next to " + ImagesName + ".gz", "no such file");
    }

    [Fact]
    public void Missing_folder_throws_directory_not_found()
    {
        string path = Path.Combine(Path.GetTempPath(), "dcgan-no-such-folder-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => MnistDataset.Load(path));
        Assert.Contains(path, e.Message);
        Assert.False(Directory.Exists(path));
    }

    // Writes the bad images file (and good labels unless given), loads the folder, and checks the error is one
    // InvalidDataException line and that the folder is unchanged. Returns the message.
    private static string LoadBad(string imagesFile, byte[] images, byte[]? labels = null)
    {
        using var folder = new TempFolder();
        folder.Write(imagesFile, images);
        folder.Write(LabelsName, labels ?? IdxFiles.Labels(ThreeLabels, 3));
        string before = folder.Listing();
        var e = Assert.Throws<InvalidDataException>(() => MnistDataset.Load(folder.Path));
        AssertOneLine(e.Message);
        Assert.Equal(before, folder.Listing());
        return e.Message;
    }

    private static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
    }

    private static void AssertMentions(string message, params string[] parts)
    {
        foreach (string part in parts)
        {
            Assert.True(message.Contains(part, StringComparison.Ordinal), $"expected the message to contain \"{part}\": {message}");
        }
    }
}
