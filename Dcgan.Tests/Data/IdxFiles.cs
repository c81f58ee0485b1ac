// Builds small IDX files byte by byte (big-endian headers written by hand, not by the reader's code) and
// temporary folders for the data tests.
namespace Dcgan.Tests.Data;

using System.IO.Compression;

public static class IdxFiles
{
    public const int Pixels = 28 * 28;

    /// <summary>An image file: magic, count, rows, columns (big-endian), then the pixels.</summary>
    public static byte[] Images(byte[] pixels, int count, int magic = 2051, int rows = 28, int columns = 28)
    {
        var file = new List<byte>();
        file.AddRange(BigEndian(magic));
        file.AddRange(BigEndian(count));
        file.AddRange(BigEndian(rows));
        file.AddRange(BigEndian(columns));
        file.AddRange(pixels);
        return [.. file];
    }

    /// <summary>A label file: magic, count (big-endian), then the labels.</summary>
    public static byte[] Labels(byte[] labels, int count, int magic = 2049)
    {
        var file = new List<byte>();
        file.AddRange(BigEndian(magic));
        file.AddRange(BigEndian(count));
        file.AddRange(labels);
        return [.. file];
    }

    /// <summary>Pixels of <paramref name="count"/> images where pixel p of image i is (i·37 + p·5) mod 256, so 0 and 255 occur.</summary>
    public static byte[] Pattern(int count)
    {
        var pixels = new byte[count * Pixels];
        for (int i = 0; i < count; i++)
        {
            for (int p = 0; p < Pixels; p++)
            {
                pixels[(i * Pixels) + p] = (byte)(((i * 37) + (p * 5)) % 256);
            }
        }

        return pixels;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A gzip stream whose header carries a file name (flag FNAME, 0x08), as gzip(1) writes: it starts 1F 8B 08 08.</summary>
    public static byte[] GzipWithName(byte[] data, string name)
    {
        byte[] plain = Gzip(data);
        var named = new List<byte>(plain[..10]);
        named[3] = 0x08;
        named.AddRange(System.Text.Encoding.ASCII.GetBytes(name));
        named.Add(0);
        named.AddRange(plain[10..]);
        return [.. named];
    }

    private static byte[] BigEndian(int value) =>
        [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
