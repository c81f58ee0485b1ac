// ImageGrid: layout, the tanh -> gray mapping, padding and upscale, checked by decoding the PNG with SkiaSharp.
namespace Dcgan.Tests.Samples;

using Dcgan.Tests.Support;

using Dcgan.Backends.Cpu;
using Dcgan.Samples.Output;
using Dcgan.Tensors;
using SkiaSharp;

public class ImageGridTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1, null, 1, 1)]
    [InlineData(16, null, 4, 4)]
    [InlineData(64, null, 8, 8)]
    [InlineData(10, null, 3, 4)]
    [InlineData(17, null, 4, 5)]
    [InlineData(2, null, 1, 2)]
    [InlineData(64, 16, 4, 16)]
    [InlineData(5, 8, 1, 5)]
    public void LayoutIsNearSquareOrUsesTheGivenColumns(int count, int? columns, int rows, int cols)
    {
        Assert.Equal((rows, cols), ImageGrid.Layout(count, columns));
    }

    [Fact]
    public void EveryGrayLevelRoundTripsThroughToPixel()
    {
        // x = k / 127.5 - 1 is the centre of level k; a wrong scale, offset or rounding breaks some k.
        int worst = 0;
        for (int k = 0; k <= 255; k++)
        {
            float x = (float)((k / 127.5) - 1.0);
            worst = Math.Max(worst, Math.Abs(ImageGrid.ToPixel(x) - k));
        }
        output.WriteLine($"worst level error {worst}");
        Assert.Equal(0, worst);
    }

    [Theory]
    [InlineData(-1f, 0)]
    [InlineData(1f, 255)]
    [InlineData(0f, 128)] // 127.5 rounds away from zero, as torchvision's floor(v * 255 + 0.5)
    [InlineData(-0.5f, 64)] // 63.75
    [InlineData(0.5f, 191)] // 191.25
    [InlineData(-3f, 0)]
    [InlineData(7f, 255)]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 255)]
    [InlineData(float.NegativeInfinity, 0)]
    public void ToPixelMapsTanhRangeToBytes(float x, int expected)
    {
        Assert.Equal(expected, ImageGrid.ToPixel(x));
    }

    [Fact]
    public void PngDecodesToTheExpectedTilesAndPadding()
    {
        using var temp = new TempFolder();
        const int h = 3, w = 3;
        float[] batch = new float[4 * h * w];
        Array.Fill(batch, -1f, 0, 9);    // tile 0 black
        Array.Fill(batch, 0f, 9, 9);     // tile 1 mid gray
        Array.Fill(batch, 1f, 18, 9);    // tile 2 white
        for (int i = 0; i < 9; i++)
        {
            batch[27 + i] = (i - 4) / 4f; // tile 3 ramp -1 .. 1 row-major
        }
        string path = temp.File("grid.png");
        byte[] png = ImageGrid.WritePng(path, batch, 4, h, w, new ImageGridOptions { Padding = 2, PadValue = 77 });

        Assert.Equal(png, File.ReadAllBytes(path));
        Assert.Equal(["grid.png"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));

        using var codec = SKCodec.Create(new MemoryStream(png));
        Assert.Equal(SKEncodedImageFormat.Png, codec.EncodedFormat);
        using SKBitmap bitmap = SKBitmap.Decode(png);
        // 2 x 2 tiles of 3 px with 2 px padding before each and after the last: 2 + 3 + 2 + 3 + 2 = 12.
        Assert.Equal(12, bitmap.Width);
        Assert.Equal(12, bitmap.Height);

        int Gray(int x, int y)
        {
            SKColor c = bitmap.GetPixel(x, y);
            Assert.True(c.Red == c.Green && c.Green == c.Blue, $"pixel ({x},{y}) is not gray: {c}");
            return c.Red;
        }

        Assert.Equal(0, Gray(2, 2));
        Assert.Equal(0, Gray(4, 4));
        Assert.Equal(128, Gray(7, 2));
        Assert.Equal(128, Gray(9, 4));
        Assert.Equal(255, Gray(2, 7));
        Assert.Equal(255, Gray(4, 9));
        int[] ramp = [0, 32, 64, 96, 128, 159, 191, 223, 255]; // round((i/4) * 127.5) around 127.5
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(ramp[i], Gray(7 + (i % 3), 7 + (i / 3)));
        }
        foreach ((int x, int y) in new[] { (0, 0), (1, 5), (5, 5), (6, 3), (11, 11), (3, 6), (11, 0) })
        {
            Assert.Equal(77, Gray(x, y));
        }
    }

    [Fact]
    public void UnusedCellsArePaddingAndScaleRepeatsPixels()
    {
        const int h = 2, w = 2;
        float[] batch = [1, 1, 1, 1, 0, 0, 0, 0, -1, -1, -1, -1];
        var options = new ImageGridOptions { Padding = 1, Scale = 3, PadValue = 50 };
        GrayImage image = ImageGrid.Render(batch, 3, h, w, options);
        // 2 x 2 layout, 1 + 2 + 1 + 2 + 1 = 7 px, times 3.
        Assert.Equal(21, image.Width);
        Assert.Equal(21, image.Height);
        Assert.Equal(255, image[3, 3]);
        Assert.Equal(255, image[8, 8]);
        Assert.Equal(50, image[9, 9]);
        Assert.Equal(128, image[12, 3]);
        Assert.Equal(0, image[3, 12]);
        Assert.Equal(50, image[12, 12]); // fourth cell has no image

        using SKBitmap bitmap = SKBitmap.Decode(ImageGrid.EncodePng(image));
        Assert.Equal(21, bitmap.Width);
        int mismatches = 0;
        for (int y = 0; y < 21; y++)
        {
            for (int x = 0; x < 21; x++)
            {
                mismatches += bitmap.GetPixel(x, y).Red == image[x, y] ? 0 : 1;
            }
        }
        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void WrongLengthIsRejectedWithTheExpectedShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => ImageGrid.Render(new float[10], 4, 3, 3));
        Assert.Contains("36", ex.Message);
        Assert.Contains("10", ex.Message);
    }

    [Fact]
    public void TensorOverloadChecksTheShapeAndWritesTheSameBytes()
    {
        using var temp = new TempFolder();
        using var backend = new CpuBackend(1);
        float[] data = Enumerable.Range(0, 2 * 5 * 4).Select(i => (i / 20f) - 1f).ToArray();
        using Tensor images = backend.Allocate(new TensorShape(2, 1, 5, 4));
        images.CopyFrom(data);
        byte[] fromTensor = ImageGrid.WritePng(temp.File("t.png"), images);
        Assert.Equal(ImageGrid.EncodePng(data, 2, 5, 4), fromTensor);

        using Tensor twoChannels = backend.Allocate(new TensorShape(1, 2, 2, 2));
        var ex = Assert.Throws<ArgumentException>(() => ImageGrid.WritePng(temp.File("two.png"), twoChannels));
        Assert.Contains("[1, 2, 2, 2]", ex.Message);
    }

    [Fact]
    public void Colour_grid_of_64_tiles_is_8_by_8_with_2_pixel_borders_and_each_plane_in_its_channel()
    {
        // 64 images of 3x4x5 (C, H, W): image n has R = -1 + n/32 (a ramp), G = 1 everywhere but pixel (0, 0) = -1, B = -1.
        const int n = 64, h = 4, w = 5;
        float[] images = new float[n * 3 * h * w];
        for (int i = 0; i < n; i++)
        {
            Span<float> img = images.AsSpan(i * 3 * h * w, 3 * h * w);
            img[..(h * w)].Fill(-1f + (i / 32f));
            img.Slice(h * w, h * w).Fill(1f);
            img[h * w] = -1f;
            img.Slice(2 * h * w, h * w).Fill(-1f);
        }

        using var temp = new TempFolder();
        byte[] png = ImageGrid.WritePng(temp.File("rgb.png"), images, n, 3, h, w, new ImageGridOptions());
        using SKBitmap bitmap = SKBitmap.Decode(png);
        Assert.Equal((8 * (w + 2)) + 2, bitmap.Width);
        Assert.Equal((8 * (h + 2)) + 2, bitmap.Height);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            int left = 2 + ((i % 8) * (w + 2)), top = 2 + ((i / 8) * (h + 2));
            SKColor corner = bitmap.GetPixel(left, top), inside = bitmap.GetPixel(left + w - 1, top + h - 1);
            byte red = ImageGrid.ToPixel(-1f + (i / 32f));
            Assert.Equal((red, (byte)0, (byte)0), (corner.Red, corner.Green, corner.Blue));
            Assert.Equal((red, (byte)255, (byte)0), (inside.Red, inside.Green, inside.Blue));
            worst = Math.Max(worst, Math.Abs(inside.Red - red));
            SKColor border = bitmap.GetPixel(left - 1, top - 1);
            Assert.Equal((byte)0, border.Red);
        }

        output.WriteLine($"64 RGB tiles 8x8, {bitmap.Width}x{bitmap.Height}; worst red difference {worst}");
    }
}
