// The IDX file format of MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/): a big-endian header
// (magic 0x00000803 = 2051 for unsigned-byte 3-D arrays, 0x00000801 = 2049 for 1-D ones, then the sizes),
// then the bytes row-major. Gzip is detected by its 1F 8B signature, never by the file name.
namespace Dcgan.Data;

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

/// <summary>
/// Reads and validates MNIST-style IDX files (images: magic 2051, count, 28, 28, then count·784 bytes;
/// labels: magic 2049, count, then count bytes), raw or gzip-compressed.
/// The equivalent of the parsing in <c>torchvision.datasets.MNIST</c> (<c>read_image_file</c>, <c>read_label_file</c>).
/// Every error is an <see cref="InvalidDataException"/> whose one-line message names the file, what was expected
/// and what was found, with a hint for the usual mistakes (a byte-swapped header, a compressed file read as raw,
/// an HTML error page saved under the data file's name, a truncated download).
/// </summary>
public static class Idx
{
    /// <summary>The magic number of an IDX file of unsigned bytes with 3 dimensions (images): 2051 = 0x00000803.</summary>
    public const int ImagesMagic = 0x0803;

    /// <summary>The magic number of an IDX file of unsigned bytes with 1 dimension (labels): 2049 = 0x00000801.</summary>
    public const int LabelsMagic = 0x0801;

    /// <summary>Bytes in an image file's header: magic, count, rows, columns (four big-endian int32).</summary>
    public const int ImagesHeaderBytes = 16;

    /// <summary>Bytes in a label file's header: magic, count (two big-endian int32).</summary>
    public const int LabelsHeaderBytes = 8;

    /// <summary>Image height and width in pixels that MNIST and Fashion-MNIST use, and that this reader requires.</summary>
    public const int ImageSize = 28;

    /// <summary>Pixels per image: <see cref="ImageSize"/>² = 784.</summary>
    public const int PixelsPerImage = ImageSize * ImageSize;

    /// <summary>True when <paramref name="data"/> starts with the gzip signature 1F 8B (RFC 1952).</summary>
    /// <param name="data">The first bytes of a file; fewer than 2 bytes give false.</param>
    public static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1F && data[1] == 0x8B;

    /// <summary>
    /// Reads a whole stream and, when it starts with the gzip signature, decompresses it.
    /// </summary>
    /// <param name="stream">The file's contents from its current position to the end; not closed.</param>
    /// <param name="name">The name used in error messages (a path, or a resource name).</param>
    /// <returns>The uncompressed bytes.</returns>
    /// <exception cref="InvalidDataException">The stream starts like gzip but does not decompress.</exception>
    public static byte[] ReadAllBytes(Stream stream, string name) => ReadAllBytes(stream, name, out _);

    private static byte[] ReadAllBytes(Stream stream, string name, out bool decompressed)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        byte[] data;
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            data = buffer.ToArray();
        }

        decompressed = IsGzip(data);
        if (!decompressed)
        {
            return data;
        }

        try
        {
            using var compressed = new MemoryStream(data, writable: false);
            using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name}: expected a valid gzip stream (it starts with the gzip signature 1F 8B), found damaged data ({OneLine(e.Message)}); the file is probably a broken download.", e);
        }
    }

    /// <summary>Reads an IDX image file from a stream (raw or gzip-compressed, detected by signature) and returns its pixels.</summary>
    /// <param name="stream">The file's contents from its current position to the end; not closed.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>The pixels, count·28·28 bytes, image after image, each row-major.</returns>
    /// <exception cref="InvalidDataException">The data is not a valid IDX image file of 28×28 images (see <see cref="ParseImages"/>).</exception>
    public static byte[] ReadImages(Stream stream, string name)
    {
        byte[] file = ReadAllBytes(stream, name, out bool decompressed);
        return ParseImagesCore(file, name, decompressed);
    }

    /// <summary>Reads an IDX label file from a stream (raw or gzip-compressed, detected by signature) and returns its labels.</summary>
    /// <param name="stream">The file's contents from its current position to the end; not closed.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>One byte per image.</returns>
    /// <exception cref="InvalidDataException">The data is not a valid IDX label file (see <see cref="ParseLabels"/>).</exception>
    public static byte[] ReadLabels(Stream stream, string name)
    {
        byte[] file = ReadAllBytes(stream, name, out bool decompressed);
        return ParseLabelsCore(file, name, decompressed);
    }

    /// <summary>
    /// Validates an uncompressed IDX image file and returns its pixels.
    /// </summary>
    /// <param name="file">The whole uncompressed file.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>The pixels, count·28·28 bytes, image after image, each row-major (N×1×28×28 in NCHW terms).</returns>
    /// <exception cref="InvalidDataException">
    /// The magic is not 2051, the size is not 28×28, or the length is not 16 + count·784 bytes.
    /// </exception>
    public static byte[] ParseImages(ReadOnlySpan<byte> file, string name) => ParseImagesCore(file, name, decompressed: false);

    private static byte[] ParseImagesCore(ReadOnlySpan<byte> file, string name, bool decompressed)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckHeader(file, name, ImagesMagic, ImagesHeaderBytes, "image");
        int count = BinaryPrimitives.ReadInt32BigEndian(file[4..]);
        int rows = BinaryPrimitives.ReadInt32BigEndian(file[8..]);
        int columns = BinaryPrimitives.ReadInt32BigEndian(file[12..]);
        if (rows != ImageSize || columns != ImageSize)
        {
            throw new InvalidDataException($"{name}: expected {ImageSize}×{ImageSize} images (rows and columns {ImageSize} in the header), found {rows}×{columns}.");
        }

        CheckCount(count, name, "image");
        long expected = ImagesHeaderBytes + ((long)count * PixelsPerImage);
        CheckLength(file.Length, expected, name, $"{ImagesHeaderBytes} + {count}·{PixelsPerImage}", count, "images", decompressed);
        return file[ImagesHeaderBytes..].ToArray();
    }

    /// <summary>
    /// Validates an uncompressed IDX label file and returns its labels.
    /// </summary>
    /// <param name="file">The whole uncompressed file.</param>
    /// <param name="name">The name used in error messages.</param>
    /// <returns>One byte per image (the class, 0–9 for MNIST).</returns>
    /// <exception cref="InvalidDataException">The magic is not 2049 or the length is not 8 + count bytes.</exception>
    public static byte[] ParseLabels(ReadOnlySpan<byte> file, string name) => ParseLabelsCore(file, name, decompressed: false);

    private static byte[] ParseLabelsCore(ReadOnlySpan<byte> file, string name, bool decompressed)
    {
        ArgumentNullException.ThrowIfNull(name);
        CheckHeader(file, name, LabelsMagic, LabelsHeaderBytes, "label");
        int count = BinaryPrimitives.ReadInt32BigEndian(file[4..]);
        CheckCount(count, name, "label");
        long expected = LabelsHeaderBytes + (long)count;
        CheckLength(file.Length, expected, name, $"{LabelsHeaderBytes} + {count}", count, "labels", decompressed);
        return file[LabelsHeaderBytes..].ToArray();
    }

    private static void CheckHeader(ReadOnlySpan<byte> file, string name, int magic, int headerBytes, string kind)
    {
        string expectedMagic = $"IDX {kind} magic {magic} ({Hex(magic)})";
        if (LooksLikeHtml(file))
        {
            throw new InvalidDataException($"{name}: expected {expectedMagic}, found text starting \"{TextStart(file)}\"; it looks like an HTML page (a failed download?).");
        }

        if (file.Length < 4)
        {
            throw new InvalidDataException($"{name}: expected {expectedMagic} and a {headerBytes}-byte header, found {Bytes(file.Length)}; the file is truncated.");
        }

        int found = BinaryPrimitives.ReadInt32BigEndian(file);
        if (found != magic)
        {
            int other = magic == ImagesMagic ? LabelsMagic : ImagesMagic;
            string hint =
                IsGzip(file) ? "it looks gzip-compressed; decompress it (gunzip) or let the reader detect the gzip signature."
                : BinaryPrimitives.ReverseEndianness(found) == magic ? "it looks byte-swapped (the header was written little-endian; IDX is big-endian)."
                : found == other ? $"that is the magic of an IDX {(other == LabelsMagic ? "label" : "image")} file (are the image and label files swapped?)."
                : "it is not an MNIST IDX file.";
            throw new InvalidDataException($"{name}: expected {expectedMagic}, found {found} ({Hex(found)}); {hint}");
        }

        if (file.Length < headerBytes)
        {
            throw new InvalidDataException($"{name}: expected a {headerBytes}-byte IDX {kind} header, found {Bytes(file.Length)}; the file is truncated.");
        }
    }

    private static void CheckCount(int count, string name, string kind)
    {
        if (count < 0)
        {
            throw new InvalidDataException($"{name}: expected a non-negative {kind} count in the header, found {count}.");
        }
    }

    private static void CheckLength(long actual, long expected, string name, string formula, int count, string what, bool decompressed)
    {
        string found = decompressed ? $"found {actual} after decompression" : $"found {actual}";
        if (actual < expected)
        {
            throw new InvalidDataException($"{name}: expected {formula} = {expected} bytes for {count} {what}, {found}; the file is truncated.");
        }

        if (actual > expected)
        {
            throw new InvalidDataException($"{name}: expected {formula} = {expected} bytes for {count} {what}, {found} ({actual - expected} extra bytes after the data).");
        }
    }

    // An HTML error page saved under the data file's name starts with "<!DOCTYPE", "<html" or "<head",
    // possibly after a byte-order mark or white space.
    private static bool LooksLikeHtml(ReadOnlySpan<byte> file)
    {
        ReadOnlySpan<byte> text = SkipBomAndSpace(file);
        return text.Length >= 2 && text[0] == (byte)'<' && (text[1] == (byte)'!' || text[1] == (byte)'h' || text[1] == (byte)'H');
    }

    private static ReadOnlySpan<byte> SkipBomAndSpace(ReadOnlySpan<byte> file)
    {
        if (file.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            file = file[3..];
        }

        int i = 0;
        while (i < file.Length && i < 64 && (file[i] == (byte)' ' || file[i] == (byte)'\t' || file[i] == (byte)'\r' || file[i] == (byte)'\n'))
        {
            i++;
        }

        return file[i..];
    }

    private static string TextStart(ReadOnlySpan<byte> file)
    {
        ReadOnlySpan<byte> text = SkipBomAndSpace(file);
        var sb = new StringBuilder();
        foreach (byte b in text[..Math.Min(text.Length, 24)])
        {
            sb.Append(b is >= 0x20 and < 0x7F ? (char)b : '.');
        }

        return sb.ToString();
    }

    // The four header bytes as they appear in the file, e.g. 2051 -> "00 00 08 03".
    private static string Hex(int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return $"{bytes[0]:X2} {bytes[1]:X2} {bytes[2]:X2} {bytes[3]:X2}";
    }

    private static string Bytes(long n) => n == 0 ? "0 bytes (an empty file)" : n == 1 ? "1 byte" : $"{n} bytes";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
