// --dataset folder and cifar10: a folder of real-looking images written here (several sizes, grey and colour, PNG, JPEG,
// WebP, BMP, a two-frame GIF, one corrupt file, a nested folder, a symbolic-link loop), resize + centre crop against a
// direct 2-D computation written in this file, the cache (second read, a touched file, a damaged cache), the CIFAR-10
// reader, and bytes that become exactly the floats MNIST gave before.
namespace Dcgan.Tests.Data;

using Dcgan.Data;
using Dcgan.Samples.Data;
using Dcgan.Samples.Training;
using Dcgan.Tests.Support;
using ImageMagick;
using SkiaSharp;

public sealed class ImageFolderTests(ITestOutputHelper output)
{
    // A smooth colour picture with some texture, as photos have: RGBA bytes, row-major.
    internal static byte[] Picture(int width, int height, int seed, bool grey)
    {
        var rgba = new byte[width * height * 4];
        var random = new Random(seed);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = ((y * width) + x) * 4;
                int noise = random.Next(-12, 13);
                byte r = (byte)Math.Clamp((255 * x / Math.Max(width - 1, 1)) + noise, 0, 255);
                byte g = (byte)Math.Clamp((255 * y / Math.Max(height - 1, 1)) - noise, 0, 255);
                byte b = (byte)Math.Clamp(128 + (int)(100 * Math.Sin((x + y + seed) * 0.4)), 0, 255);
                if (grey)
                {
                    r = g = b = (byte)((r + g + b) / 3);
                }

                rgba[i] = r;
                rgba[i + 1] = g;
                rgba[i + 2] = b;
                rgba[i + 3] = 255;
            }
        }

        return rgba;
    }

    internal static byte[] Encode(byte[] rgba, int width, int height, SKEncodedImageFormat format, int quality = 95)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using SKImage image = SKImage.FromPixelCopy(info, rgba, width * 4);
        using SKData data = image.Encode(format, quality);
        return data.ToArray();
    }

    /// <summary>
    /// Writes the test folder: 9 decodable images (PNG, JPEG, WebP, BMP, GIF; grey and colour; sizes from 20×20 to 90×40)
    /// and one corrupt file in <c>root</c>, <c>root/people/a</c> and <c>root/people/b/c</c>, a text file, and a link
    /// <c>people/b/c/again → ../../a</c> (a second way to a folder of the tree, skipped) where links can be made.
    /// </summary>
    internal static (int Images, string Corrupt, string? Link) WriteFolder(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "people", "a"));
        Directory.CreateDirectory(Path.Combine(root, "people", "b", "c"));
        File.WriteAllBytes(Path.Combine(root, "wide.png"), Encode(Picture(90, 40, 1, false), 90, 40, SKEncodedImageFormat.Png));
        File.WriteAllBytes(Path.Combine(root, "tall-grey.png"), Encode(Picture(30, 50, 2, true), 30, 50, SKEncodedImageFormat.Png));
        File.WriteAllBytes(Path.Combine(root, "people", "a", "photo.jpg"), Encode(Picture(64, 64, 3, false), 64, 64, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(root, "people", "a", "small.JPEG"), Encode(Picture(20, 20, 4, true), 20, 20, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(root, "people", "b", "pic.webp"), Encode(Picture(48, 36, 5, false), 48, 36, SKEncodedImageFormat.Webp, 100));
        File.WriteAllBytes(Path.Combine(root, "people", "b", "c", "deep.png"), Encode(Picture(33, 33, 6, false), 33, 33, SKEncodedImageFormat.Png));
        File.WriteAllBytes(Path.Combine(root, "people", "b", "c", "exact.png"), Encode(Picture(32, 32, 7, false), 32, 32, SKEncodedImageFormat.Png));
        using (var bmp = new MagickImage(Encode(Picture(40, 24, 8, false), 40, 24, SKEncodedImageFormat.Png)))
        {
            bmp.Write(Path.Combine(root, "people", "old.bmp"), MagickFormat.Bmp3);
        }

        using (var gif = new MagickImageCollection())
        {
            gif.Add(new MagickImage(MagickColors.Red, 24, 24));
            gif.Add(new MagickImage(MagickColors.Blue, 24, 24));
            gif.Write(Path.Combine(root, "anim.gif"), MagickFormat.Gif);
        }

        string corrupt = Path.Combine(root, "people", "broken.jpg");
        byte[] jpeg = Encode(Picture(40, 40, 9, false), 40, 40, SKEncodedImageFormat.Jpeg);
        File.WriteAllBytes(corrupt, [.. jpeg[..2], .. new byte[64]]);
        File.WriteAllText(Path.Combine(root, "notes.txt"), "not an image");
        string? link = null;
        if (!OperatingSystem.IsWindows())
        {
            link = Path.Combine(root, "people", "b", "c", "again");
            File.CreateSymbolicLink(link, Path.Combine("..", "..", "a"));
        }

        return (9, corrupt, link);
    }

    // The reference: PIL's bilinear weights written out for one output pixel, summed in 2-D in double precision.
    private static double[] Weights(int inSize, int outSize, int index, out int first)
    {
        double scale = (double)inSize / outSize;
        double stretch = Math.Max(1.0, scale);
        double centre = (index + 0.5) * scale;
        first = Math.Max(0, (int)Math.Floor(centre - stretch));
        int last = Math.Min(inSize - 1, (int)Math.Ceiling(centre + stretch));
        var w = new double[last - first + 1];
        for (int j = first; j <= last; j++)
        {
            double d = Math.Abs((j + 0.5 - centre) / stretch);
            w[j - first] = d < 1 ? 1 - d : 0;
        }

        double sum = w.Sum();
        return w.Select(v => v / sum).ToArray();
    }

    private static byte[] ReferenceResizeCrop(byte[] plane, int height, int width, int size)
    {
        int rh = height <= width ? size : size * height / width;
        int rw = height <= width ? size * width / height : size;
        int top = (int)Math.Round((rh - size) / 2.0, MidpointRounding.ToEven);
        int left = (int)Math.Round((rw - size) / 2.0, MidpointRounding.ToEven);
        var result = new byte[size * size];
        for (int y = 0; y < size; y++)
        {
            double[] wy = Weights(height, rh, top + y, out int y0);
            for (int x = 0; x < size; x++)
            {
                double[] wx = Weights(width, rw, left + x, out int x0);
                double sum = 0;
                for (int j = 0; j < wy.Length; j++)
                {
                    for (int k = 0; k < wx.Length; k++)
                    {
                        sum += wy[j] * wx[k] * plane[((y0 + j) * width) + x0 + k];
                    }
                }

                result[(y * size) + x] = (byte)Math.Clamp(Math.Round(sum, MidpointRounding.AwayFromZero), 0, 255);
            }
        }

        return result;
    }

    [Fact]
    public void Resize_and_centre_crop_match_a_hand_computed_case_and_a_direct_2d_computation()
    {
        // 2× shrink of a 4×4 ramp: PIL's triangle filter widened to 2 pixels gives each output (0.75a + 0.75b + 0.25c) / 1.75
        // along each axis; the separable product of those weights is what PIL computes (up to its 8-bit intermediate).
        byte[] ramp = [0, 40, 80, 120, 40, 80, 120, 160, 80, 120, 160, 200, 120, 160, 200, 240];
        var two = new byte[4];
        ImageResize.ResizeAndCenterCrop(ramp, 1, 4, 4, 2, two);
        double near = ((0.75 * 0) + (0.75 * 40) + (0.25 * 80)) / 1.75; // 28.571 along one axis
        double far = ((0.25 * 40) + (0.75 * 80) + (0.75 * 120)) / 1.75; // 91.43
        Assert.Equal([(byte)Math.Round(2 * near), (byte)Math.Round(near + far), (byte)Math.Round(far + near), (byte)Math.Round(2 * far)], two);

        // torchvision's sizes: the longer side int(S · long / short), the crop at round-half-to-even.
        Assert.Equal((2, 4), ImageResize.ResizedSize(3, 7, 2));
        Assert.Equal((26, 8), ImageResize.ResizedSize(30, 9, 8));
        Assert.Equal(0, ImageResize.CropStart(3, 2));
        Assert.Equal(2, ImageResize.CropStart(5, 2));

        int worst = 0;
        int cases = 0;
        int exact = 0;
        var random = new Random(3);
        foreach ((int h, int w, int s) in new[] { (7, 5, 3), (13, 29, 8), (5, 4, 9), (40, 90, 32), (64, 64, 28), (3, 31, 2), (50, 30, 64) })
        {
            var plane = new byte[h * w];
            random.NextBytes(plane);
            var got = new byte[s * s];
            ImageResize.ResizeAndCenterCrop(plane, 1, h, w, s, got);
            byte[] expected = ReferenceResizeCrop(plane, h, w, s);
            for (int i = 0; i < got.Length; i++)
            {
                int d = Math.Abs(got[i] - expected[i]);
                worst = Math.Max(worst, d);
                exact += d == 0 ? 1 : 0;
                cases++;
            }
        }

        output.WriteLine($"resize + crop vs the direct 2-D reference: worst difference {worst} grey level(s); {exact} of {cases} pixels equal");
        Assert.True(worst <= 1, $"worst difference {worst}");
        Assert.True(exact >= cases * 0.99, $"{exact} of {cases} equal");
    }

    [Fact]
    public void A_folder_of_mixed_images_decodes_in_order_skipping_the_corrupt_file_and_the_second_way_in()
    {
        using var dir = new TempFolder();
        string root = dir.File("images");
        (int count, string corrupt, string? link) = WriteFolder(root);
        FolderListing listing = ImageFolder.List(root);
        output.WriteLine(string.Join("\n", listing.Images.Select(f => f.RelativePath)));
        Assert.Equal(count + 1, listing.Images.Count);
        Assert.Equal(listing.Images.Select(f => f.RelativePath).Order(StringComparer.Ordinal), listing.Images.Select(f => f.RelativePath));
        Assert.Equal(1, listing.OtherFiles);
        Assert.Equal(link is null ? [] : [link], listing.SkippedLinks);

        DecodedFolder rgb = ImageFolder.Decode(listing.Images, 16, 3);
        Assert.Equal(count, rgb.Images.Count);
        SkippedFile skipped = Assert.Single(rgb.Skipped);
        Assert.Equal(corrupt, skipped.Path);
        output.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");

        // The lossless PNG, resized and cropped plane by plane by the reference.
        int wide = rgb.Files.ToList().IndexOf(Path.Combine(root, "wide.png"));
        byte[] picture = Picture(90, 40, 1, false);
        for (int c = 0; c < 3; c++)
        {
            byte[] plane = Enumerable.Range(0, 90 * 40).Select(i => picture[(4 * i) + c]).ToArray();
            byte[] expected = ReferenceResizeCrop(plane, 40, 90, 16);
            byte[] got = rgb.Images[wide].Slice(c * 256, 256).ToArray();
            int worst = expected.Zip(got, (a, b) => Math.Abs(a - b)).Max();
            output.WriteLine($"wide.png channel {c}: worst difference {worst}");
            Assert.True(worst <= 1, $"channel {c}: worst difference {worst}");
        }

        // The GIF's first frame (red), not its second (blue).
        int gif = rgb.Files.ToList().IndexOf(Path.Combine(root, "anim.gif"));
        Assert.Equal([255, 0, 0], new[] { rgb.Images[gif][0], rgb.Images[gif][256], rgb.Images[gif][512] });

        // Grey: PIL's luma of the colour pixels, and a grey picture keeps its levels.
        DecodedFolder grey = ImageFolder.Decode(listing.Images, 16, 1);
        Assert.Equal(count, grey.Images.Count);
        Assert.Equal(ImageFolder.Luma(255, 0, 0), grey.Images[gif][0]);
        Assert.Equal(76, ImageFolder.Luma(255, 0, 0));
        int tall = grey.Files.ToList().IndexOf(Path.Combine(root, "tall-grey.png"));
        byte[] tallPicture = Picture(30, 50, 2, true);
        byte[] tallExpected = ReferenceResizeCrop(Enumerable.Range(0, 30 * 50).Select(i => tallPicture[4 * i]).ToArray(), 50, 30, 16);
        Assert.True(tallExpected.Zip(grey.Images[tall].ToArray(), (a, b) => Math.Abs(a - b)).Max() <= 1);
    }

    [Fact]
    public void A_limit_decodes_only_the_first_files_and_caches_nothing_until_a_full_read()
    {
        using var dir = new TempFolder();
        string root = dir.File("images");
        string cache = dir.File("cache");
        (int count, string corrupt, _) = WriteFolder(root);
        List<string> paths = ImageFolder.List(root).Images.Select(f => f.Path).ToList();
        FolderLoad full = FolderDataset.Load(root, 16, 3, cacheRoot: null);

        // The first three files decode: exactly those, the same bytes as in a full decode, nothing cached.
        FolderLoad three = FolderDataset.Load(root, 16, 3, cache, limit: 3);
        output.WriteLine(three.Message);
        Assert.Equal(3, three.Images.Count);
        Assert.Contains("not cached: --limit 3 decoded the first 3 of 10 image files only", three.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(cache) && Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Any(), "a partial decode is not cached");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(full.Images.Images[i].ToArray(), three.Images.Images[i].ToArray());
        }

        // The corrupt file falls inside the first seven: a longer prefix is decoded, so seven images still come back.
        int broken = paths.IndexOf(corrupt);
        Assert.True(broken is >= 0 and < 7, $"the corrupt file is file {broken}");
        FolderLoad seven = FolderDataset.Load(root, 16, 3, cache, limit: 7);
        output.WriteLine(seven.Message + " | " + string.Join(" | ", seven.Warnings));
        Assert.True(seven.Images.Count >= 7, $"{seven.Images.Count} images");
        Assert.Contains(seven.Warnings, w => w.Contains(corrupt, StringComparison.Ordinal));

        // A limit at or above the file count, or a current cache, reads everything as before.
        Assert.Equal(count, FolderDataset.Load(root, 16, 3, cache, limit: 10).Images.Count);
        FolderLoad cached = FolderDataset.Load(root, 16, 3, cache, limit: 3);
        Assert.Equal(CacheState.Read, cached.CacheState);
        Assert.Equal(count, cached.Images.Count);
    }

    [Fact]
    public void The_second_read_comes_from_the_cache_a_touched_file_or_a_damaged_cache_rebuilds_it()
    {
        using var dir = new TempFolder();
        string root = dir.File("images");
        string cache = dir.File("cache");
        WriteFolder(root);
        FolderLoad first = FolderDataset.Load(root, 16, 3, cache);
        output.WriteLine(first.Message);
        Assert.Equal(CacheState.Missing, first.CacheState);
        Assert.StartsWith("Decoded 9 images (16×16 RGB)", first.Message, StringComparison.Ordinal);
        byte[] bytes = Flatten(first.Images);

        FolderLoad second = FolderDataset.Load(root, 16, 3, cache);
        output.WriteLine(second.Message);
        Assert.Equal(CacheState.Read, second.CacheState);
        Assert.StartsWith($"Read 9 images (16×16 RGB) from the cache of {root}", second.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, Flatten(second.Images));
        Assert.Contains(second.Warnings, w => w.Contains("broken.jpg", StringComparison.Ordinal));
        Assert.Equal(DataRecord.Of(first.Images, null).Fingerprint, DataRecord.Of(second.Images, null).Fingerprint);

        // Another size or channel count is another cache file; so is a --background, and a cached none decode is never
        // reused for white, nor white for none.
        Assert.Equal(CacheState.Missing, FolderDataset.Load(root, 8, 1, cache).CacheState);
        FolderLoad white = FolderDataset.Load(root, 16, 3, cache, background: ImageBackground.White);
        Assert.Equal(CacheState.Missing, white.CacheState);
        Assert.StartsWith("Decoded 9 images (16×16 RGB over #ffffff)", white.Message, StringComparison.Ordinal);
        Assert.NotEqual(ImageCache.PathFor(cache, root, 16, 3), ImageCache.PathFor(cache, root, 16, 3, ImageBackground.White));
        Assert.Equal(CacheState.Read, FolderDataset.Load(root, 16, 3, cache, background: ImageBackground.White).CacheState);
        Assert.Equal(CacheState.Missing, FolderDataset.Load(root, 16, 3, cache, background: ImageBackground.Black).CacheState);
        FolderLoad stillNone = FolderDataset.Load(root, 16, 3, cache);
        Assert.Equal(CacheState.Read, stillNone.CacheState);
        Assert.Equal(bytes, Flatten(stillNone.Images));

        // A changed file (its time) makes the cache stale: decoded again and rewritten.
        string photo = Path.Combine(root, "people", "a", "photo.jpg");
        File.SetLastWriteTimeUtc(photo, File.GetLastWriteTimeUtc(photo).AddSeconds(5));
        FolderLoad touched = FolderDataset.Load(root, 16, 3, cache);
        output.WriteLine(touched.Message);
        Assert.Equal(CacheState.Stale, touched.CacheState);
        Assert.Contains("rebuilt", touched.Message, StringComparison.Ordinal);
        Assert.Equal(CacheState.Read, FolderDataset.Load(root, 16, 3, cache).CacheState);

        // One flipped pixel byte, then a truncated file: ignored (never trusted) and rebuilt with the right bytes.
        string file = ImageCache.PathFor(cache, root, 16, 3);
        byte[] stored = File.ReadAllBytes(file);
        stored[^100] ^= 0x40;
        File.WriteAllBytes(file, stored);
        FolderLoad damaged = FolderDataset.Load(root, 16, 3, cache);
        output.WriteLine(string.Join("\n", damaged.Warnings));
        Assert.Equal(CacheState.Damaged, damaged.CacheState);
        Assert.Contains(damaged.Warnings, w => w.Contains("damaged", StringComparison.Ordinal) && w.Contains(file, StringComparison.Ordinal));
        Assert.Equal(bytes, Flatten(damaged.Images));
        File.WriteAllBytes(file, stored[..^5000]);
        Assert.Equal(CacheState.Damaged, FolderDataset.Load(root, 16, 3, cache).CacheState);
        FolderLoad again = FolderDataset.Load(root, 16, 3, cache);
        Assert.Equal(CacheState.Read, again.CacheState);
        Assert.Equal(bytes, Flatten(again.Images));
    }

    [Fact]
    public void Folders_without_images_or_without_one_that_decodes_are_errors_naming_the_folder()
    {
        using var dir = new TempFolder();
        string empty = dir.File("empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.txt"), "x");
        var none = Assert.Throws<InvalidDataException>(() => FolderDataset.Load(empty, 16, 3, null));
        output.WriteLine(none.Message);
        Assert.StartsWith($"{empty}: expected image files", none.Message, StringComparison.Ordinal);
        Assert.Contains("found only 1 other file", none.Message, StringComparison.Ordinal);

        string bad = dir.File("bad");
        Directory.CreateDirectory(bad);
        File.WriteAllBytes(Path.Combine(bad, "a.png"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(bad, "b.jpg"), []);
        var undecodable = Assert.Throws<InvalidDataException>(() => FolderDataset.Load(bad, 16, 3, dir.File("cache")));
        output.WriteLine(undecodable.Message);
        Assert.StartsWith($"{bad}: none of its 2 image files could be decoded", undecodable.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(bad, "a.png"), undecodable.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("cache")), "nothing is cached when nothing decodes");
    }

    [Fact]
    public async Task A_link_loop_is_an_error_naming_the_link_and_never_hangs()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var dir = new TempFolder();
        string root = dir.File("loop");
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        File.WriteAllBytes(Path.Combine(root, "a", "b", "one.png"), Encode(Picture(8, 8, 1, false), 8, 8, SKEncodedImageFormat.Png));
        foreach (string target in new[] { "..", Path.Combine("..", ".."), ".", root, "/" })
        {
            string back = Path.Combine(root, "a", "b", "back");
            File.Delete(back);
            File.CreateSymbolicLink(back, target);
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => Task.Run(() => ImageFolder.List(root), TestContext.Current.CancellationToken)
                .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
            output.WriteLine($"back -> {target}: {e.Message}");
            Assert.StartsWith($"{back}: a symbolic link to ", e.Message, StringComparison.Ordinal);
            Assert.Contains("which contains the link (a loop)", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Links_inside_the_tree_dangling_links_and_a_second_link_outside_are_skipped_and_named_one_outside_is_read()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        using var dir = new TempFolder();
        string root = dir.File("tree");
        string outside = dir.File("outside");
        Directory.CreateDirectory(Path.Combine(root, "a"));
        Directory.CreateDirectory(outside);
        File.WriteAllBytes(Path.Combine(root, "a", "in.png"), Encode(Picture(8, 8, 1, false), 8, 8, SKEncodedImageFormat.Png));
        File.WriteAllBytes(Path.Combine(outside, "out.png"), Encode(Picture(8, 8, 2, false), 8, 8, SKEncodedImageFormat.Png));
        File.CreateSymbolicLink(Path.Combine(root, "0-sibling"), "a"); // sorts before a: still skipped, a is read by its own path
        File.CreateSymbolicLink(Path.Combine(root, "x1"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "x2"), outside);
        File.CreateSymbolicLink(Path.Combine(root, "gone.png"), dir.File("nothing.png"));
        File.CreateSymbolicLink(Path.Combine(root, "self.png"), Path.Combine(root, "self.png"));
        FolderListing listing = ImageFolder.List(root);
        output.WriteLine(string.Join("\n", listing.Images.Select(f => f.RelativePath)));
        Assert.Equal([Path.Combine("a", "in.png"), Path.Combine("x1", "out.png")], listing.Images.Select(f => f.RelativePath));
        string[] expected = [.. new[] { "0-sibling", "gone.png", "self.png", "x2" }.Select(n => Path.Combine(root, n))];
        Assert.Equal(expected, listing.SkippedLinks);
    }

    [Fact]
    public void Cifar10_batches_are_read_channel_planar_with_labels_and_a_wrong_size_is_named()
    {
        using var dir = new TempFolder();
        string root = dir.File("cifar-10-batches-bin");
        Directory.CreateDirectory(root);
        byte[][] batches = WriteCifar(root, recordsPerBatch: 2);
        (ImageBuffer images, byte[] labels, string folder) = Cifar10.Load(dir.Path);
        Assert.Equal(root, folder);
        Assert.Equal(10, images.Count);
        for (int i = 0; i < 10; i++)
        {
            byte[] record = batches[i / 2].AsSpan((i % 2) * 3073, 3073).ToArray();
            Assert.Equal(record[0], labels[i]);
            Assert.Equal(record[1..], images[i].ToArray());
        }

        (ImageBuffer grey, _, _) = Cifar10.Load(root, 32, 1);
        byte[] first = batches[0][1..3073];
        Assert.Equal(ImageFolder.Luma(first[0], first[1024], first[2048]), grey[0][0]);
        (ImageBuffer small, _, _) = Cifar10.Load(root, 16, 3);
        Assert.Equal(3 * 16 * 16, small.ImageSize);

        File.WriteAllBytes(Path.Combine(root, "data_batch_3.bin"), new byte[(2 * 3073) + 100]);
        var e = Assert.Throws<InvalidDataException>(() => Cifar10.Load(root));
        output.WriteLine(e.Message);
        Assert.StartsWith($"{Path.Combine(root, "data_batch_3.bin")}: expected a multiple of 3,073 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("6,246 bytes (2 records and 100 bytes over)", e.Message, StringComparison.Ordinal);

        File.Delete(Path.Combine(root, "data_batch_5.bin"));
        var missing = Assert.Throws<InvalidDataException>(() => Cifar10.Load(root));
        Assert.Contains("data_batch_5.bin", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mnist_bytes_become_exactly_the_floats_of_before()
    {
        MnistDataset mnist = EmbeddedMnist.Load().Take(50);
        var data = new TrainingImages(mnist.RawImages, mnist.Count, 1, 28, 28, "embedded");
        var one = new float[784];
        for (int i = 0; i < mnist.Count; i++)
        {
            data.CopyImage(i, one);
            Assert.Equal(mnist.Images.AsSpan(i * 784, 784).ToArray(), one);
        }
    }

    [Fact]
    public void Image_buffer_chunks_and_compaction_keep_images_in_order()
    {
        var buffer = new ImageBuffer(5, 3);
        for (int i = 0; i < 5; i++)
        {
            buffer[i].Fill((byte)(i + 1));
        }

        buffer.Compact([true, false, true, false, true]);
        Assert.Equal(3, buffer.Count);
        Assert.Equal([1, 1, 1, 3, 3, 3, 5, 5, 5], buffer.Segments(3).SelectMany(s => s.ToArray()).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer[3].Length);
        Assert.Equal(ImageBuffer.MaxChunkBytes / 12_288, new ImageBuffer(0, 12_288).ImagesPerChunk);
    }

    internal static byte[][] WriteCifar(string folder, int recordsPerBatch)
    {
        var batches = new byte[5][];
        var random = new Random(11);
        for (int b = 0; b < 5; b++)
        {
            batches[b] = new byte[recordsPerBatch * 3073];
            random.NextBytes(batches[b]);
            for (int r = 0; r < recordsPerBatch; r++)
            {
                batches[b][r * 3073] = (byte)((b + r) % 10);
            }

            File.WriteAllBytes(Path.Combine(folder, $"data_batch_{b + 1}.bin"), batches[b]);
        }

        return batches;
    }

    private static byte[] Flatten(TrainingImages images) => images.Images.Segments(images.Count).SelectMany(s => s.ToArray()).ToArray();
}
