// ProgressGif: frame count, per-frame delays, endless looping and frame content, read back with Magick.NET.
namespace Dcgan.Tests.Samples;

using Dcgan.Tests.Support;

using System.Text;
using Dcgan.Samples.Output;
using ImageMagick;

public class ProgressGifTests
{
    private static byte[] Frame(float value)
    {
        float[] batch = new float[4 * 4 * 4];
        Array.Fill(batch, value);
        return ImageGrid.EncodePng(batch, 4, 4, 4);
    }

    [Fact]
    public void GifHasOneFramePerEpochAndLoopsForever()
    {
        using var temp = new TempFolder();
        var gif = new ProgressGif { FrameDelayCentiseconds = 40, LastFrameDelayCentiseconds = 150 };
        gif.Add(Frame(-1f));
        gif.Add(Frame(0f));
        gif.Add(Frame(1f));
        string path = temp.File("progress.gif");
        gif.Write(path);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal("GIF89a", Encoding.ASCII.GetString(bytes, 0, 6));
        // NETSCAPE2.0 application extension, sub-block 03 01 <loop count little-endian> = 0: loop forever.
        int ext = bytes.AsSpan().IndexOf("NETSCAPE2.0"u8);
        Assert.True(ext > 0, "no NETSCAPE2.0 loop extension");
        Assert.Equal(new byte[] { 3, 1, 0, 0 }, bytes.AsSpan(ext + 11, 4).ToArray());

        using var frames = new MagickImageCollection(bytes);
        Assert.Equal(3, frames.Count);
        Assert.Equal(0u, frames[0].AnimationIterations);
        Assert.Equal([40u, 40u, 150u], frames.Select(f => f.AnimationDelay));
        // 2 x 2 tiles of 4 px, padding 2: 14 x 14.
        Assert.All(frames, f => Assert.Equal((14u, 14u), (f.Width, f.Height)));
        int[] expected = [0, 128, 255];
        for (int i = 0; i < 3; i++)
        {
            using var pixels = frames[i].GetPixels();
            IMagickColor<byte>? centre = pixels.GetPixel(4, 4).ToColor();
            Assert.NotNull(centre);
            Assert.Equal(expected[i], centre.R);
            IMagickColor<byte>? pad = pixels.GetPixel(0, 0).ToColor();
            Assert.Equal(0, pad!.R);
        }
        Assert.Equal(["progress.gif"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void EmptyGifIsRefused()
    {
        using var temp = new TempFolder();
        var ex = Assert.Throws<InvalidOperationException>(() => new ProgressGif().Write(temp.File("x.gif")));
        Assert.Contains("no frames", ex.Message);
        Assert.False(File.Exists(temp.File("x.gif")));
    }
}
