// The decoded bytes of an image folder, kept in the data cache folder so that a second run does not decode every file
// again. One file per folder, image size, channels and --background; its header holds a SHA-256 of the folder's file list (relative
// paths, sizes, modification times) and the settings, and a SHA-256 of the whole file ends it, so a stale or damaged cache
// is recognised, ignored and rebuilt, never trusted. Written atomically (AtomicFile).
//
// Layout (integers little-endian):
//   "DCGANIMG" | int32 version | int32 channels | int32 height | int32 width | int32 count
//   | 32 bytes key (SHA-256 of the file list and settings) | int32 skipped-text bytes | skipped text (UTF-8)
//   | count · channels · height · width pixel bytes | 32 bytes SHA-256 of everything before
namespace Dcgan.Samples.Data;

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Dcgan.Samples.Training;
using Dcgan.Serialization;

/// <summary>What <see cref="ImageCache.TryRead"/> found.</summary>
public enum CacheState
{
    /// <summary>No cache file.</summary>
    Missing,

    /// <summary>A cache file for other files or settings (a file was added, removed or changed).</summary>
    Stale,

    /// <summary>A cache file that is not valid (truncated, altered, another format); it is ignored.</summary>
    Damaged,

    /// <summary>The cached images were read.</summary>
    Read,
}

/// <summary>Reads and writes the decoded-image cache of a folder.</summary>
public static class ImageCache
{
    /// <summary>The format version; bump it when decoding or resizing changes, so old caches are rebuilt.</summary>
    public const int Version = 1;

    private static readonly byte[] Magic = "DCGANIMG"u8.ToArray();

    private const int FixedHeader = 8 + (5 * 4) + 32 + 4;

    /// <summary>
    /// The cache file of <paramref name="folder"/> at a size, channel count and background:
    /// <c>cacheRoot/folder-cache/&lt;first 16 hex digits of SHA-256 of the folder's full path&gt;-&lt;S&gt;px-&lt;C&gt;ch.bin</c>
    /// without a background (--background none, the name caches had before there was a choice), and
    /// <c>…-&lt;C&gt;ch-bg&lt;rrggbb&gt;.bin</c> with one, so that images composited onto a colour never replace those decoded
    /// without (or onto another colour).
    /// </summary>
    public static string PathFor(string cacheRoot, string folder, int size, int channels, ImageBackground? background = null)
    {
        string full = Path.GetFullPath(folder);
        string id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        string colour = background is { } b ? $"-bg{b.Hex}" : string.Empty;
        return Path.Combine(cacheRoot, "folder-cache", $"{id}-{size}px-{channels}ch{colour}.bin");
    }

    /// <summary>
    /// The SHA-256 of the settings (size, channels, and the background when there is one) and of every file's relative path,
    /// size and modification time, in order. Without a background the key is the one caches had before there was a choice.
    /// </summary>
    public static byte[] Key(IReadOnlyList<ImageFile> files, int size, int channels, ImageBackground? background = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string colour = background is { } b ? $" background={b}" : string.Empty;
        hash.AppendData(Encoding.UTF8.GetBytes($"dcgan-image-cache/{Version} size={size} channels={channels}{colour} files={files.Count}\n"));
        foreach (ImageFile f in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{f.RelativePath}\0{f.Length}\0{f.LastWriteTicks}\n"));
        }

        return hash.GetHashAndReset();
    }

    /// <summary>
    /// Reads the cache file at <paramref name="path"/> when its key is <paramref name="key"/> and its checksum holds.
    /// </summary>
    /// <param name="path">The cache file.</param>
    /// <param name="key">The expected <see cref="Key"/>.</param>
    /// <param name="size">S.</param>
    /// <param name="channels">C.</param>
    /// <param name="images">The images when the state is <see cref="CacheState.Read"/>.</param>
    /// <param name="skipped">The skipped files' text stored with them (one "path: reason" per line).</param>
    /// <returns>What was found; only <see cref="CacheState.Read"/> gives images.</returns>
    public static CacheState TryRead(string path, byte[] key, int size, int channels, out ImageBuffer? images, out string skipped)
    {
        images = null;
        skipped = string.Empty;
        if (!File.Exists(path))
        {
            return CacheState.Missing;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] header = new byte[FixedHeader];
            if (!ReadExactly(stream, header, hash) || !header.AsSpan(0, 8).SequenceEqual(Magic))
            {
                return CacheState.Damaged;
            }

            int version = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
            int c = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
            int h = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
            int w = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(20));
            int count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(24));
            int textBytes = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(FixedHeader - 4));
            if (version != Version || c != channels || h != size || w != size)
            {
                return CacheState.Stale;
            }

            if (!header.AsSpan(28, 32).SequenceEqual(key))
            {
                return CacheState.Stale;
            }

            long expected = FixedHeader + (long)textBytes + ((long)count * c * h * w) + 32;
            if (count < 0 || textBytes < 0 || textBytes > 1 << 20 || stream.Length != expected)
            {
                return CacheState.Damaged;
            }

            byte[] text = new byte[textBytes];
            if (!ReadExactly(stream, text, hash))
            {
                return CacheState.Damaged;
            }

            var buffer = new ImageBuffer(count, c * h * w);
            foreach (Memory<byte> segment in buffer.WritableSegments())
            {
                if (!ReadExactly(stream, segment.Span, hash))
                {
                    return CacheState.Damaged;
                }
            }

            byte[] stored = new byte[32];
            if (!ReadExactly(stream, stored, null) || !stored.AsSpan().SequenceEqual(hash.GetHashAndReset()))
            {
                return CacheState.Damaged;
            }

            images = buffer;
            skipped = Encoding.UTF8.GetString(text);
            return CacheState.Read;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return CacheState.Damaged;
        }
    }

    /// <summary>Writes the images and the skipped files' text to <paramref name="path"/> atomically (folders created).</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    public static void Write(string path, byte[] key, int size, int channels, ImageBuffer images, string skipped)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(skipped);
        byte[] text = Encoding.UTF8.GetBytes(skipped);
        byte[] header = new byte[FixedHeader];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), channels);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), size);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), size);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), images.Count);
        key.CopyTo(header, 28);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(FixedHeader - 4), text.Length);
        AtomicFile.Write(path, stream =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Put(ReadOnlySpan<byte> bytes)
            {
                hash.AppendData(bytes);
                stream.Write(bytes);
            }

            Put(header);
            Put(text);
            foreach (ReadOnlyMemory<byte> segment in images.Segments(images.Count))
            {
                Put(segment.Span);
            }

            stream.Write(hash.GetHashAndReset());
        });
    }

    private static bool ReadExactly(Stream stream, Span<byte> target, IncrementalHash? hash)
    {
        int read = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
        if (read != target.Length)
        {
            return false;
        }

        hash?.AppendData(target);
        return true;
    }
}
