// LossPlot: the PNG has the requested size, both curves in their colours, and text actually drawn
// (dark pixels above the plot frame, none there without a title).
namespace Dcgan.Tests.Samples;

using Dcgan.Tests.Support;

using Dcgan.Samples.Output;
using SkiaSharp;

public class LossPlotTests(ITestOutputHelper output)
{
    private static List<LossRecord> Records(int count)
    {
        var records = new List<LossRecord>(count);
        for (int i = 0; i < count; i++)
        {
            records.Add(new LossRecord(1 + (i / 100), i, 1.2f + (0.3f * MathF.Sin(i * 0.1f)), 3f + MathF.Cos(i * 0.05f), 0.6f, 0.3f));
        }
        return records;
    }

    private static int DarkPixels(SKBitmap bitmap, SKRectI area)
    {
        int dark = 0;
        for (int y = area.Top; y < area.Bottom; y++)
        {
            for (int x = area.Left; x < area.Right; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                dark += (c.Red + c.Green + c.Blue) < 3 * 100 ? 1 : 0;
            }
        }
        return dark;
    }

    private static int PixelsNear(SKBitmap bitmap, SKColor target)
    {
        int count = 0;
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                int d = Math.Abs(c.Red - target.Red) + Math.Abs(c.Green - target.Green) + Math.Abs(c.Blue - target.Blue);
                count += d < 40 ? 1 : 0;
            }
        }
        return count;
    }

    /// <summary>First row whose middle part is mostly dark: the top edge of the data frame.</summary>
    private static int FrameTop(SKBitmap bitmap)
    {
        for (int y = 0; y < bitmap.Height; y++)
        {
            if (DarkPixels(bitmap, new SKRectI(120, y, 520, y + 1)) > 350)
            {
                return y;
            }
        }
        Assert.Fail("no plot frame found");
        return -1;
    }

    [Fact]
    public void PlotHasSizeCurvesAndTitleText()
    {
        using var temp = new TempFolder();
        string path = temp.File("losses.png");
        PlotFontChoice font = LossPlot.Write(path, Records(300), 640, 400);
        output.WriteLine($"font: {font.Description}");
        Assert.Equal(["losses.png"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));

        using SKBitmap bitmap = SKBitmap.Decode(File.ReadAllBytes(path));
        Assert.Equal(640, bitmap.Width);
        Assert.Equal(400, bitmap.Height);
        int blue = PixelsNear(bitmap, SKColor.Parse("#1f77b4"));
        int orange = PixelsNear(bitmap, SKColor.Parse("#ff7f0e"));
        output.WriteLine($"Loss_D pixels {blue}, Loss_G pixels {orange}");
        Assert.True(blue > 300, $"Loss_D curve has {blue} pixels");
        Assert.True(orange > 300, $"Loss_G curve has {orange} pixels");

        if (!font.CanDrawText)
        {
            Assert.Skip($"No font can draw text on this machine: {font.Description}");
        }
        // The title sits centred above the plot frame; count dark pixels between the top edge and the frame's
        // top line. Without a title the frame moves up and that band is empty, so the check can fail.
        int withTitle = DarkPixels(bitmap, new SKRectI(120, 0, 520, FrameTop(bitmap) - 2));
        using SKBitmap noTitle = SKBitmap.Decode(LossPlot.RenderPng(Records(300), 640, 400, title: ""));
        int withoutTitle = DarkPixels(noTitle, new SKRectI(120, 0, 520, FrameTop(noTitle) - 2));
        output.WriteLine($"frame top at y = {FrameTop(bitmap)} / {FrameTop(noTitle)}; dark pixels above it: {withTitle} with title, {withoutTitle} without");
        Assert.True(withTitle > 100, $"title band has only {withTitle} dark pixels: text was not drawn");
        Assert.True(withoutTitle < 10, $"band above the frame of an untitled plot has {withoutTitle} dark pixels");
        // Tick labels under the x axis are text too.
        int bottom = DarkPixels(bitmap, new SKRectI(60, 330, 640, 400));
        Assert.True(bottom > 100, $"x axis label band has only {bottom} dark pixels");
    }

    [Fact]
    public void EmptyRecordsStillGiveAPlot()
    {
        using SKBitmap bitmap = SKBitmap.Decode(LossPlot.RenderPng([], 300, 200));
        Assert.Equal((300, 200), (bitmap.Width, bitmap.Height));
    }
}
