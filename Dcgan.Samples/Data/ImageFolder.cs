// --dataset folder: every image under a folder, recursively, in ordinal order of its path, decoded with SkiaSharp (GIF: its
// first frame), with --background composited over an opaque colour (ImageBackground; by default not: alpha dropped, as
// PIL's convert('RGB')), converted to RGB or grey (PIL's convert('L'): L = (19595·R + 38470·G + 7471·B + 2^15) >> 16), resized and centre-cropped as torchvision's Resize(S) + CenterCrop(S),
// kept as bytes. Decoding runs on every core. Symbolic links are followed, but a folder whose real path was already
// read is not read again (a warning), and a link back to a folder that contains it (a loop) is an error naming it.
namespace Dcgan.Samples.Data;

using System.Buffers;
using System.Diagnostics;
using Dcgan.Samples.Training;
using SkiaSharp;

/// <summary>An image file found under the folder: its full path, path relative to the folder, size and modification time.</summary>
public sealed record ImageFile(string Path, string RelativePath, long Length, long LastWriteTicks);

/// <summary>A file that could not be decoded and why (one line).</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>The files of a folder: the images to decode, links not followed (loops), and how many other files were ignored.</summary>
public sealed record FolderListing(IReadOnlyList<ImageFile> Images, IReadOnlyList<string> SkippedLinks, int OtherFiles);

/// <summary>Progress of decoding: images done (decoded or skipped) of the total, and time so far.</summary>
public readonly record struct DecodeProgress(int Done, int Total, TimeSpan Elapsed, bool Finished);

/// <summary>Decoded images of a folder and what was skipped.</summary>
/// <param name="Images">The decoded images, C×S×S bytes each, in file order.</param>
/// <param name="Files">The files that decoded, in the order of <paramref name="Images"/>.</param>
/// <param name="Skipped">Files that could not be decoded.</param>
/// <param name="Transparent">How many of the decoded images have a pixel that is not fully opaque.</param>
public sealed record DecodedFolder(ImageBuffer Images, IReadOnlyList<string> Files, IReadOnlyList<SkippedFile> Skipped, int Transparent = 0);

/// <summary>Lists and decodes the images under a folder (the equivalent of torchvision's <c>ImageFolder</c> with <c>Resize</c> + <c>CenterCrop</c>).</summary>
public static class ImageFolder
{
    /// <summary>The file extensions read (case-insensitive).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"];

    /// <summary>
    /// Every image file under <paramref name="root"/>, recursively, sorted by relative path (ordinal). Links to files and
    /// to folders outside the tree are followed; a link to a folder inside the tree (read through its own path), to a
    /// folder outside it already read through another link, or to nothing is listed in
    /// <see cref="FolderListing.SkippedLinks"/> instead, whatever order the file system lists entries in.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A symbolic link inside the tree points to a folder that contains it (a loop: the tree would have no end).
    /// </exception>
    public static FolderListing List(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException(File.Exists(full)
                ? $"{root}: expected a folder of images, found a file."
                : $"{root}: expected a folder of images, found no such folder.");
        }

        var images = new List<ImageFile>();
        var links = new List<string>();
        var visited = new HashSet<string>(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        int other = 0;
        var pending = new Stack<(string Path, string Real)>();
        string rootReal = RealPath(full);
        visited.Add(rootReal);
        pending.Push((full, rootReal));
        while (pending.Count > 0)
        {
            (string folder, string folderReal) = pending.Pop();
            // Sorted, so that which of two links to the same outside folder is read does not depend on the file system.
            FileSystemInfo[] entries = new DirectoryInfo(folder).GetFileSystemInfos();
            Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (FileSystemInfo entry in entries)
            {
                bool isLink = entry.LinkTarget is not null;
                if (entry is DirectoryInfo dir)
                {
                    string? real = isLink ? TryRealPath(dir.FullName) : null;
                    if (isLink && (real is null || !Directory.Exists(real)))
                    {
                        links.Add(dir.FullName);
                        continue;
                    }

                    if (real is not null && Contains(real, folderReal))
                    {
                        throw new InvalidDataException($"{dir.FullName}: a symbolic link to {real}, which contains the link (a loop); expected a folder tree without loops: remove the link, or point --data below it.");
                    }

                    string dirReal = real ?? RealPath(dir.FullName);
                    if ((isLink && Contains(rootReal, dirReal)) || !visited.Add(dirReal))
                    {
                        links.Add(dir.FullName);
                        continue;
                    }

                    pending.Push((dir.FullName, dirReal));
                }
                else if (Extensions.Contains(Path.GetExtension(entry.Name), StringComparer.OrdinalIgnoreCase))
                {
                    var file = (FileInfo)entry;
                    if (isLink)
                    {
                        // The target's size and time, so that editing the target invalidates the cache.
                        FileSystemInfo? target = TryResolve(file);
                        if (target is not FileInfo { Exists: true } resolved)
                        {
                            links.Add(file.FullName);
                            continue;
                        }

                        file = resolved;
                    }

                    images.Add(new ImageFile(entry.FullName, Path.GetRelativePath(full, entry.FullName), file.Length, file.LastWriteTimeUtc.Ticks));
                }
                else
                {
                    other++;
                }
            }
        }

        images.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        links.Sort(StringComparer.Ordinal);
        return new FolderListing(images, links, other);
    }

    /// <summary>
    /// Decodes <paramref name="files"/> in parallel into <paramref name="channels"/>×<paramref name="size"/>×<paramref name="size"/>
    /// bytes each, in order; files that cannot be decoded are left out and listed in <see cref="DecodedFolder.Skipped"/>.
    /// </summary>
    /// <param name="files">The files, e.g. <see cref="FolderListing.Images"/>.</param>
    /// <param name="size">S, the side of the square output.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <param name="progress">Called about 5 times a second from the calling thread, and once with Finished = true.</param>
    /// <param name="threads">Decoding threads; 0 = every core.</param>
    /// <param name="background">The colour transparent pixels are composited onto; null drops alpha (--background none).</param>
    /// <exception cref="ArgumentOutOfRangeException">channels is not 1 or 3, or size is less than 1.</exception>
    public static DecodedFolder Decode(IReadOnlyList<ImageFile> files, int size, int channels, Action<DecodeProgress>? progress = null, int threads = 0, ImageBackground? background = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Expected 1 (grey) or 3 (RGB).");
        }

        var buffer = new ImageBuffer(files.Count, channels * size * size);
        var errors = new string?[files.Count];
        int done = 0, transparent = 0;
        var clock = Stopwatch.StartNew();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Task work = Task.Run(() => Parallel.For(0, files.Count, options, i =>
        {
            errors[i] = DecodeFile(files[i].Path, size, channels, buffer[i], background, out bool clear);
            if (clear && errors[i] is null)
            {
                Interlocked.Increment(ref transparent);
            }

            Interlocked.Increment(ref done);
        }));
        while (!work.Wait(200))
        {
            progress?.Invoke(new DecodeProgress(Volatile.Read(ref done), files.Count, clock.Elapsed, false));
        }

        work.GetAwaiter().GetResult();
        progress?.Invoke(new DecodeProgress(files.Count, files.Count, clock.Elapsed, true));
        var keep = new bool[files.Count];
        var decoded = new List<string>(files.Count);
        var skipped = new List<SkippedFile>();
        for (int i = 0; i < files.Count; i++)
        {
            keep[i] = errors[i] is null;
            if (keep[i])
            {
                decoded.Add(files[i].Path);
            }
            else
            {
                skipped.Add(new SkippedFile(files[i].Path, errors[i]!));
            }
        }

        buffer.Compact(keep);
        return new DecodedFolder(buffer, decoded, skipped, transparent);
    }

    /// <summary>
    /// Decodes one image file into C×S×S bytes (see the file header for the conversions), its transparent pixels composited
    /// onto <paramref name="background"/> when one is given.
    /// </summary>
    /// <returns>Null on success, else why the file could not be decoded (one short phrase).</returns>
    public static string? DecodeFile(string path, int size, int channels, Span<byte> destination, ImageBackground? background = null) =>
        DecodeFile(path, size, channels, destination, background, out _);

    /// <summary>
    /// <see cref="DecodeFile(string, int, int, Span{byte}, ImageBackground?)"/>, also saying whether the image has a pixel
    /// that is not fully opaque.
    /// </summary>
    public static string? DecodeFile(string path, int size, int channels, Span<byte> destination, ImageBackground? background, out bool transparent)
    {
        transparent = false;
        byte[] encoded;
        try
        {
            encoded = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ErrorText(e);
        }

        return Decode(encoded, size, channels, destination, background, out transparent);
    }

    /// <summary>
    /// Decodes encoded image bytes (PNG, JPEG, BMP, WebP, GIF) into C×S×S bytes, compositing them onto
    /// <paramref name="background"/> first when one is given (null: alpha dropped); null on success, else why not.
    /// </summary>
    public static string? Decode(byte[] encoded, int size, int channels, Span<byte> destination, ImageBackground? background = null) =>
        Decode(encoded, size, channels, destination, background, out _);

    /// <summary>
    /// <see cref="Decode(byte[], int, int, Span{byte}, ImageBackground?)"/>, also saying whether the image has a pixel that
    /// is not fully opaque (looked for only in formats that can carry alpha).
    /// </summary>
    public static string? Decode(byte[] encoded, int size, int channels, Span<byte> destination, ImageBackground? background, out bool transparent)
    {
        transparent = false;
        ArgumentNullException.ThrowIfNull(encoded);
        if (encoded.Length == 0)
        {
            return "an empty file";
        }

        // The codec owns the stream when it is created; otherwise the stream is disposed here.
        var stream = new SKMemoryStream(encoded);
        using SKCodec? codec = SKCodec.Create(stream, out SKCodecResult created);
        if (codec is null)
        {
            stream.Dispose();
            return created == SKCodecResult.Unimplemented || created == SKCodecResult.InvalidInput
                ? "not an image SkiaSharp can decode"
                : $"not a readable image ({created})";
        }

        int width = codec.Info.Width;
        int height = codec.Info.Height;
        if (width < 1 || height < 1 || (long)width * height > 1L << 28)
        {
            return $"an image of {width}×{height} pixels (expected 1 to 2^28 pixels)";
        }

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int plane = width * height;
        // Pooled: a photo's pixels are megabytes, and every decoding thread needs two such buffers per file.
        byte[] rgba = ArrayPool<byte>.Shared.Rent(plane * 4);
        byte[] planar = ArrayPool<byte>.Shared.Rent(plane * channels);
        try
        {
            SKCodecResult result;
            unsafe
            {
                fixed (byte* p = rgba)
                {
                    result = codec.GetPixels(info, (nint)p);
                }
            }

            if (result != SKCodecResult.Success)
            {
                return result == SKCodecResult.IncompleteInput ? "a truncated image" : $"an image that does not decode ({result})";
            }

            if (codec.Info.AlphaType != SKAlphaType.Opaque)
            {
                transparent = HasTransparency(rgba.AsSpan(0, plane * 4));
            }

            // --background none (the common case) skips this pass entirely.
            background?.Composite(rgba.AsSpan(0, plane * 4));
            ToPlanes(rgba.AsSpan(0, plane * 4), channels, planar.AsSpan(0, plane * channels));
            ImageResize.ResizeAndCenterCrop(planar.AsSpan(0, plane * channels), channels, height, width, size, destination);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(planar);
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    /// <summary>
    /// RGBA bytes to C planes: R, G, B for 3 channels (alpha dropped, as PIL's <c>convert('RGB')</c>), or PIL's
    /// <c>convert('L')</c> luma (19595·R + 38470·G + 7471·B + 32768) >> 16 for 1 channel (ITU-R 601-2 weights).
    /// </summary>
    public static void ToPlanes(ReadOnlySpan<byte> rgba, int channels, Span<byte> planes)
    {
        int n = rgba.Length / 4;
        if (channels == 1)
        {
            for (int i = 0; i < n; i++)
            {
                planes[i] = Luma(rgba[4 * i], rgba[(4 * i) + 1], rgba[(4 * i) + 2]);
            }

            return;
        }

        for (int i = 0; i < n; i++)
        {
            planes[i] = rgba[4 * i];
            planes[n + i] = rgba[(4 * i) + 1];
            planes[(2 * n) + i] = rgba[(4 * i) + 2];
        }
    }

    private static bool HasTransparency(ReadOnlySpan<byte> rgba)
    {
        for (int i = 3; i < rgba.Length; i += 4)
        {
            if (rgba[i] != 255)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>PIL's grey level of an RGB pixel: (19595·R + 38470·G + 7471·B + 2^15) >> 16 (R = G = B gives that value).</summary>
    public static byte Luma(byte r, byte g, byte b) => (byte)(((19595 * r) + (38470 * g) + (7471 * b) + 32768) >> 16);

    private static string ErrorText(Exception e) => Terminal.ErrorOutput.OneLine(e.Message);

    // Whether folder `outer` is `inner` or one of its parents (real paths, no trailing separator but for the file system root).
    private static bool Contains(string outer, string inner)
    {
        StringComparison comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (string.Equals(outer, inner, comparison))
        {
            return true;
        }

        string prefix = Path.EndsInDirectorySeparator(outer) ? outer : outer + Path.DirectorySeparatorChar;
        return inner.StartsWith(prefix, comparison);
    }

    private static FileSystemInfo? TryResolve(FileSystemInfo link)
    {
        try
        {
            return link.ResolveLinkTarget(returnFinalTarget: true);
        }
        catch (IOException)
        {
            return null; // a loop of links (ELOOP) or a target that cannot be read
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TryRealPath(string path)
    {
        try
        {
            return RealPath(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The path with every symbolic link in it resolved (as realpath(3)), walked one component at a time; more than 40
    // links followed (Linux's limit) is a loop.
    private static string RealPath(string path)
    {
        int links = 0;
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full)!;
        var parts = new Queue<string>(full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        string current = root;
        while (parts.Count > 0)
        {
            string next = Path.Combine(current, parts.Dequeue());
            var info = new FileInfo(next);
            if (info.LinkTarget is not string target)
            {
                current = next;
                continue;
            }

            if (++links > 40)
            {
                throw new IOException($"{path}: too many levels of symbolic links.");
            }

            // Restart from the link's target followed by the components not yet walked.
            string resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
            string resolvedRoot = Path.GetPathRoot(resolved)!;
            var rest = resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(parts).ToList();
            parts = new Queue<string>(rest);
            current = resolvedRoot;
        }

        return current;
    }
}
