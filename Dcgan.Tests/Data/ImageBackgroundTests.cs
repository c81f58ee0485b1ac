// --background for --dataset folder: a small RGBA PNG written here (opaque, fully transparent with colour under it,
// half-transparent and random pixels) decoded over white, black and a #RRGGBB colour, grey and RGB, against compositing
// computed here in double precision; none giving the bytes of before (alpha dropped) bit for bit, with the cache file
// name and key of before; parsing; and the validation of TrainOptions.
namespace Dcgan.Tests.Data;

using System.Security.Cryptography;
using System.Text;
using Dcgan.Samples.Data;
using Dcgan.Samples.Training;
using Dcgan.Tests.Support;
using SkiaSharp;

public sealed class ImageBackgroundTests(ITestOutputHelper output)
{
    // The square picture's side (decoded at this size: no resampling) and the wider one's size (resized to 4×4).
    private const int Side = 8;
    private const int Width = 9;
    private const int Height = 7;

    // RGBA, row-major: hand-picked pixels first (the cases that matter), then random colours and alphas.
    private static byte[] Pixels(int width = Side, int height = Side)
    {
        byte[][] chosen =
        [
            [10, 200, 30, 255], // opaque: unchanged
            [0, 0, 0, 0], // transparent over black, as most icon sets store it
            [200, 30, 90, 0], // transparent with a colour under it: none keeps the colour, a background hides it
            [255, 255, 255, 128], // half transparent
            [40, 80, 160, 128],
            [100, 150, 200, 64],
            [1, 2, 3, 1],
            [250, 128, 7, 254],
            [128, 128, 128, 127],
            [17, 34, 51, 191],
        ];
        var rgba = new byte[width * height * 4];
        new Random(5).NextBytes(rgba);
        for (int i = 0; i < chosen.Length; i++)
        {
            chosen[i].CopyTo(rgba, 4 * i);
        }

        return rgba;
    }

    private static byte[] Png(byte[] rgba, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using SKImage image = SKImage.FromPixelCopy(info, rgba, width * 4);
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    // The reference: c·α + bg·(1 − α) with α = a/255 in double precision, rounded to the nearest level, as planes (RGB).
    private static byte[] Composited(byte[] rgba, (int R, int G, int B) bg)
    {
        int n = rgba.Length / 4;
        var planes = new byte[3 * n];
        int[] under = [bg.R, bg.G, bg.B];
        for (int i = 0; i < n; i++)
        {
            double alpha = rgba[(4 * i) + 3] / 255.0;
            for (int c = 0; c < 3; c++)
            {
                double v = (rgba[(4 * i) + c] * alpha) + (under[c] * (1 - alpha));
                planes[(c * n) + i] = (byte)Math.Round(v, MidpointRounding.AwayFromZero);
            }
        }

        return planes;
    }

    // The RGB planes with alpha dropped (PIL's convert('RGB')).
    private static byte[] AlphaDropped(byte[] rgba)
    {
        int n = rgba.Length / 4;
        var planes = new byte[3 * n];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                planes[(c * n) + i] = rgba[(4 * i) + c];
            }
        }

        return planes;
    }

    // PIL's convert('L') of RGB planes, written out: (19595·R + 38470·G + 7471·B + 2^15) >> 16.
    private static byte[] Grey(byte[] planes)
    {
        int n = planes.Length / 3;
        var grey = new byte[n];
        for (int i = 0; i < n; i++)
        {
            grey[i] = (byte)(((19595 * planes[i]) + (38470 * planes[n + i]) + (7471 * planes[(2 * n) + i]) + 32768) >> 16);
        }

        return grey;
    }

    private static byte[] Decode(byte[] png, int size, int channels, ImageBackground? background)
    {
        var result = new byte[channels * size * size];
        string? error = ImageFolder.Decode(png, size, channels, result, background);
        Assert.Null(error);
        return result;
    }

    private int Worst(string what, byte[] expected, byte[] got)
    {
        Assert.Equal(expected.Length, got.Length);
        int worst = expected.Zip(got, (a, b) => Math.Abs(a - b)).Max();
        int differ = expected.Zip(got, (a, b) => a != b ? 1 : 0).Sum();
        output.WriteLine($"{what}: worst difference {worst} level(s), {differ} of {expected.Length} bytes differ");
        return worst;
    }

    public static TheoryData<string, int, int, int> Backgrounds => new()
    {
        { "white", 255, 255, 255 },
        { "black", 0, 0, 0 },
        { "#3A7Fc2", 0x3A, 0x7F, 0xC2 },
    };

    [Theory]
    [MemberData(nameof(Backgrounds))]
    public void Transparent_pixels_are_composited_over_the_background_before_the_grey_and_rgb_conversion(string name, int r, int g, int b)
    {
        byte[] rgba = Pixels();
        byte[] png = Png(rgba, Side, Side);
        Assert.True(ImageBackground.TryParse(name, out ImageBackground? parsed));
        Assert.Equal(new ImageBackground((byte)r, (byte)g, (byte)b), parsed);

        // Decoded at the image's own size: no resampling, so every byte is the compositing's.
        byte[] expectedRgb = Composited(rgba, (r, g, b));
        byte[] rgb = Decode(png, Side, 3, parsed);
        Assert.Equal(0, Worst($"{name} RGB", expectedRgb, rgb));
        byte[] grey = Decode(png, Side, 1, parsed);
        Assert.Equal(0, Worst($"{name} grey", Grey(expectedRgb), grey));

        // The hand-picked pixels: opaque unchanged, fully transparent exactly the background, half transparent between.
        const int plane = Side * Side;
        byte[] Pixel(byte[] planes, int i) => [planes[i], planes[plane + i], planes[(2 * plane) + i]];
        Assert.Equal([10, 200, 30], Pixel(rgb, 0));
        Assert.Equal([(byte)r, (byte)g, (byte)b], Pixel(rgb, 1));
        Assert.Equal([(byte)r, (byte)g, (byte)b], Pixel(rgb, 2));
        Assert.Equal([(byte)(((40 * 128) + (r * 127) + 127) / 255), (byte)(((80 * 128) + (g * 127) + 127) / 255), (byte)(((160 * 128) + (b * 127) + 127) / 255)], Pixel(rgb, 4));

        // A wrong order (grey first, then compositing the grey level over the background's grey) gives other levels.
        byte[] greyFirst = new byte[plane];
        byte[] plainGrey = Grey(AlphaDropped(rgba));
        byte backgroundGrey = Grey([(byte)r, (byte)g, (byte)b])[0];
        for (int i = 0; i < plane; i++)
        {
            int alpha = rgba[(4 * i) + 3];
            greyFirst[i] = (byte)(((plainGrey[i] * alpha) + (backgroundGrey * (255 - alpha)) + 127) / 255);
        }

        Assert.NotEqual(greyFirst, Grey(expectedRgb));
    }

    [Fact]
    public void Compositing_comes_before_the_resize()
    {
        byte[] rgba = Pixels(Width, Height);
        byte[] png = Png(rgba, Width, Height);
        const int size = 4;
        var expected = new byte[3 * size * size];
        ImageResize.ResizeAndCenterCrop(Composited(rgba, (255, 255, 255)), 3, Height, Width, size, expected);
        byte[] got = Decode(png, size, 3, ImageBackground.White);
        Assert.Equal(0, Worst("white, resized 9×7 → 4×4", expected, got));

        // Resizing first and compositing the resized colour and alpha would differ: the check above can fail.
        var resizedColour = new byte[3 * size * size];
        var resizedAlpha = new byte[size * size];
        ImageResize.ResizeAndCenterCrop(AlphaDropped(rgba), 3, Height, Width, size, resizedColour);
        ImageResize.ResizeAndCenterCrop(Enumerable.Range(0, Width * Height).Select(i => rgba[(4 * i) + 3]).ToArray(), 1, Height, Width, size, resizedAlpha);
        byte[] resizeFirst = resizedColour.Select((c, i) => (byte)(((c * resizedAlpha[i % (size * size)]) + (255 * (255 - resizedAlpha[i % (size * size)])) + 127) / 255)).ToArray();
        Assert.NotEqual(resizeFirst, got);
    }

    [Fact]
    public void None_keeps_the_bytes_of_before_bit_for_bit_alpha_dropped()
    {
        byte[] rgba = Pixels();
        byte[] png = Png(rgba, Side, Side);
        Assert.True(ImageBackground.TryParse("none", out ImageBackground? none));
        Assert.Null(none);
        Assert.True(ImageBackground.TryParse("NONE", out _));

        // Alpha dropped, the colour under transparent pixels kept (PIL's convert('RGB')), at the image's size and resized.
        byte[] expectedRgb = AlphaDropped(rgba);
        byte[] rgb = Decode(png, Side, 3, none);
        Assert.Equal(0, Worst("none RGB", expectedRgb, rgb));
        Assert.Equal(0, Worst("none grey", Grey(expectedRgb), Decode(png, Side, 1, none)));
        Assert.Equal([200, 30, 90], new[] { rgb[2], rgb[(Side * Side) + 2], rgb[(2 * Side * Side) + 2] });
        Assert.Equal(rgb, Decode(png, Side, 3, background: null));

        byte[] wide = Pixels(Width, Height);
        byte[] widePng = Png(wide, Width, Height);
        var resized = new byte[3 * 4 * 4];
        ImageResize.ResizeAndCenterCrop(AlphaDropped(wide), 3, Height, Width, 4, resized);
        Assert.Equal(resized, Decode(widePng, 4, 3, none));
        Assert.NotEqual(resized, Decode(widePng, 4, 3, ImageBackground.Black));
    }

    [Fact]
    public void Transparent_images_read_without_a_background_get_a_hint_naming_the_option_and_opaque_ones_do_not()
    {
        using var dir = new TempFolder();
        string root = dir.File("icons");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "a-icon.png"), Png(Pixels(), Side, Side));
        byte[] opaque = Pixels();
        for (int i = 3; i < opaque.Length; i += 4)
        {
            opaque[i] = 255;
        }

        File.WriteAllBytes(Path.Combine(root, "b-opaque.png"), Png(opaque, Side, Side));
        FolderLoad none = FolderDataset.Load(root, Side, 3, cacheRoot: null);
        output.WriteLine(string.Join("\n", none.Warnings));
        Assert.Contains(none.Warnings, w => w.StartsWith($"{root}: 1 of the 2 images have transparent pixels", StringComparison.Ordinal) && w.Contains("--background white", StringComparison.Ordinal));
        Assert.DoesNotContain(FolderDataset.Load(root, Side, 3, cacheRoot: null, background: ImageBackground.White).Warnings, w => w.Contains("transparent", StringComparison.Ordinal));

        File.Delete(Path.Combine(root, "a-icon.png"));
        Assert.DoesNotContain(FolderDataset.Load(root, Side, 3, cacheRoot: null).Warnings, w => w.Contains("transparent", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cache_of_none_keeps_its_name_and_key_and_each_background_has_its_own()
    {
        using var dir = new TempFolder();
        string root = dir.File("icons");
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "icon.png"), Png(Pixels(), Side, Side));
        File.WriteAllBytes(Path.Combine(root, "wide.png"), Png(Pixels(Width, Height), Width, Height));
        FolderListing listing = ImageFolder.List(root);

        // none: the file name and key caches had before --background existed, so they stay valid.
        string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(root))))[..16];
        Assert.Equal(Path.Combine("c", "folder-cache", $"{id}-16px-3ch.bin"), ImageCache.PathFor("c", root, 16, 3));
        Assert.Equal(Path.Combine("c", "folder-cache", $"{id}-16px-3ch-bgffffff.bin"), ImageCache.PathFor("c", root, 16, 3, ImageBackground.White));
        Assert.Equal(Path.Combine("c", "folder-cache", $"{id}-16px-1ch-bg3a7fc2.bin"), ImageCache.PathFor("c", root, 16, 1, new ImageBackground(0x3A, 0x7F, 0xC2)));
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"dcgan-image-cache/1 size=16 channels=3 files=2\n"));
            foreach (ImageFile f in listing.Images)
            {
                hash.AppendData(Encoding.UTF8.GetBytes($"{f.RelativePath}\0{f.Length}\0{f.LastWriteTicks}\n"));
            }

            Assert.Equal(hash.GetHashAndReset(), ImageCache.Key(listing.Images, 16, 3));
        }

        byte[][] keys = [ImageCache.Key(listing.Images, 16, 3), ImageCache.Key(listing.Images, 16, 3, ImageBackground.White), ImageCache.Key(listing.Images, 16, 3, ImageBackground.Black)];
        Assert.Equal(3, keys.Select(Convert.ToHexString).Distinct().Count());

        // Even a cache file put where another background's belongs is not trusted: its key is another.
        string cache = dir.File("cache");
        FolderLoad plain = FolderDataset.Load(root, 8, 3, cache);
        string whiteFile = ImageCache.PathFor(cache, root, 8, 3, ImageBackground.White);
        File.Copy(ImageCache.PathFor(cache, root, 8, 3), whiteFile);
        Assert.Equal(CacheState.Stale, ImageCache.TryRead(whiteFile, ImageCache.Key(listing.Images, 8, 3, ImageBackground.White), 8, 3, out _, out _));
        Assert.Equal(CacheState.Read, ImageCache.TryRead(whiteFile, ImageCache.Key(listing.Images, 8, 3), 8, 3, out _, out _));
        File.Delete(whiteFile);
        FolderLoad white = FolderDataset.Load(root, 8, 3, cache, background: ImageBackground.White);
        output.WriteLine(white.Message);
        Assert.Equal(CacheState.Missing, white.CacheState);
        Assert.StartsWith("Decoded 2 images (8×8 RGB over #ffffff)", white.Message, StringComparison.Ordinal);
        Assert.NotEqual(Flatten(plain.Images), Flatten(white.Images));
    }

    [Theory]
    [InlineData("none", true)]
    [InlineData("White", true)]
    [InlineData("BLACK", true)]
    [InlineData("#a0B1c2", true)]
    [InlineData("#000000", true)]
    [InlineData("grey", false)]
    [InlineData("", false)]
    [InlineData("#12345", false)]
    [InlineData("#1234567", false)]
    [InlineData("#12345g", false)]
    [InlineData("123456", false)]
    [InlineData("# 12345", false)]
    [InlineData("#+12345", false)]
    public void Only_none_white_black_and_six_hex_digits_are_backgrounds(string text, bool valid)
    {
        Assert.Equal(valid, ImageBackground.TryParse(text, out ImageBackground? parsed));
        if (text.StartsWith('#') && valid)
        {
            Assert.Equal(text.ToLowerInvariant(), parsed.ToString());
        }

        var options = new TrainOptions { Dataset = DataDefaults.Folder, Background = text };
        if (valid)
        {
            options.Validate();
            return;
        }

        var e = Assert.Throws<ArgumentException>(options.Validate);
        output.WriteLine(e.Message);
        Assert.Equal($"--background is '{text}'; expected none, white, black or #RRGGBB (six hex digits, e.g. #808080).", e.Message);
    }

    [Fact]
    public void A_background_with_another_dataset_is_an_error_naming_why()
    {
        foreach (string dataset in new[] { "mnist", "fashion-mnist", DataDefaults.Cifar10 })
        {
            var e = Assert.Throws<ArgumentException>(new TrainOptions { Dataset = dataset, Background = "white" }.Validate);
            output.WriteLine(e.Message);
            Assert.Equal($"--background is for --dataset folder only; {dataset}'s images have no transparency (alpha channel) to composite, so leave --background out.", e.Message);
        }

        // Given on the command line, even as none; left at its default, no error; on --resume the checkpoint's holds.
        Assert.Throws<ArgumentException>(new TrainOptions { Given = new HashSet<string> { "background" } }.Validate);
        new TrainOptions { Given = new HashSet<string> { "epochs" } }.Validate();
        new TrainOptions().Validate();
        new TrainOptions { Resume = "checkpoint.safetensors", Background = "white", Given = new HashSet<string> { "background" } }.Validate();
    }

    private static byte[] Flatten(TrainingImages images) => images.Images.Segments(images.Count).SelectMany(s => s.ToArray()).ToArray();
}
