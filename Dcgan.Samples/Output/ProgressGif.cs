// Turns the per-epoch sample grids (PNG bytes from ImageGrid) into one looping animated GIF with
// Magick.NET: one frame per epoch, AnimationDelay in 1/100 s, AnimationIterations = 0 (loop forever),
// the last frame held longer so the final result can be seen. Written atomically.
using ImageMagick;

namespace Dcgan.Samples.Output;

using Dcgan.Serialization;

/// <summary>Collects grid PNGs, one per epoch, and writes them as a looping animated GIF.</summary>
public sealed class ProgressGif
{
    private readonly List<byte[]> _frames = [];

    /// <summary>Delay of every frame but the last, in hundredths of a second. Default 50 (0.5 s).</summary>
    public int FrameDelayCentiseconds { get; init; } = 50;

    /// <summary>Delay of the last frame, in hundredths of a second. Default 200 (2 s).</summary>
    public int LastFrameDelayCentiseconds { get; init; } = 200;

    /// <summary>Number of frames collected so far.</summary>
    public int FrameCount => _frames.Count;

    /// <summary>Appends one frame (the PNG bytes returned by <see cref="ImageGrid.WritePng(string, ReadOnlySpan{float}, int, int, int, ImageGridOptions?)"/>).</summary>
    /// <exception cref="ArgumentException">The bytes are empty.</exception>
    public void Add(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length == 0)
        {
            throw new ArgumentException("A GIF frame needs PNG bytes, got an empty array.", nameof(png));
        }
        _frames.Add(png);
    }

    /// <summary>Appends the PNG files in the given order (e.g. when resuming a run from its epoch grids on disk).</summary>
    public void AddFiles(IEnumerable<string> pngPaths)
    {
        ArgumentNullException.ThrowIfNull(pngPaths);
        foreach (string path in pngPaths)
        {
            Add(File.ReadAllBytes(path));
        }
    }

    /// <summary>Writes all frames collected so far to <paramref name="path"/> atomically (rewrite after every epoch).</summary>
    /// <exception cref="InvalidOperationException">No frame was added.</exception>
    public void Write(string path)
    {
        if (_frames.Count == 0)
        {
            throw new InvalidOperationException($"Cannot write '{path}': the progress GIF has no frames yet.");
        }
        AtomicFile.WriteAllBytes(path, Encode(_frames, FrameDelayCentiseconds, LastFrameDelayCentiseconds));
    }

    /// <summary>Encodes PNG frames as a looping GIF and returns its bytes.</summary>
    /// <param name="pngFrames">Frames in display order; all should have the same size (the first frame's size is the canvas).</param>
    /// <param name="frameDelayCentiseconds">Delay of every frame but the last, 1/100 s, >= 0.</param>
    /// <param name="lastFrameDelayCentiseconds">Delay of the last frame, 1/100 s, >= 0.</param>
    /// <exception cref="ArgumentException">No frames, or a negative delay.</exception>
    /// <exception cref="MagickException">A frame is not a readable image.</exception>
    public static byte[] Encode(IReadOnlyList<byte[]> pngFrames, int frameDelayCentiseconds = 50, int lastFrameDelayCentiseconds = 200)
    {
        ArgumentNullException.ThrowIfNull(pngFrames);
        if (pngFrames.Count == 0)
        {
            throw new ArgumentException("A GIF needs at least one frame, got none.", nameof(pngFrames));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(frameDelayCentiseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(lastFrameDelayCentiseconds);

        using var collection = new MagickImageCollection();
        for (int i = 0; i < pngFrames.Count; i++)
        {
            var frame = new MagickImage(pngFrames[i]);
            bool last = i == pngFrames.Count - 1;
            frame.AnimationDelay = (uint)(last ? lastFrameDelayCentiseconds : frameDelayCentiseconds);
            // Every frame replaces the previous one entirely: nothing is transparent.
            frame.GifDisposeMethod = GifDisposeMethod.None;
            collection.Add(frame);
        }
        // The NETSCAPE loop count is taken from the first frame; 0 means loop forever.
        collection[0].AnimationIterations = 0;
        return collection.ToByteArray(MagickFormat.Gif);
    }
}
