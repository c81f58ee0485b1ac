// Tiles a batch of generated images (N x C x H x W, C = 1 or 3, tanh output in [-1, 1]) into one grayscale or RGB
// grid PNG, laid out like torchvision.utils.make_grid: `padding` pixels of `PadValue` before every tile and
// after the last one, so the border is padded too. Pixel = clamp(round((x + 1) * 127.5), 0, 255) with
// midpoint rounding away from zero, which equals save_image's floor(255 * (x + 1) / 2 + 0.5) for x >= -1.
// Encoding is SkiaSharp's (Gray8 SKImage -> PNG); no hand-written encoder.
using Dcgan.Tensors;
using SkiaSharp;

namespace Dcgan.Samples.Output;

using Dcgan.Serialization;

/// <summary>How <see cref="ImageGrid"/> lays out tiles.</summary>
public sealed record ImageGridOptions
{
    /// <summary>Pixels between tiles and around the border (torchvision's <c>padding</c>), before scaling. Default 2.</summary>
    public int Padding { get; init; } = 2;

    /// <summary>Integer nearest-neighbour upscale of the whole grid (1 = none). Default 1.</summary>
    public int Scale { get; init; } = 1;

    /// <summary>Tiles per row; null picks a near-square layout (see <see cref="ImageGrid.Layout"/>).</summary>
    public int? Columns { get; init; }

    /// <summary>Gray level of padding and of unused cells (torchvision's <c>pad_value</c>, 0 = black). Default 0.</summary>
    public byte PadValue { get; init; }
}

/// <summary>An 8-bit grayscale picture, row-major, <c>Pixels.Length == Width * Height</c>.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">Gray levels, 0 = black, 255 = white, row by row.</param>
public sealed record GrayImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The gray level at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public byte this[int x, int y] => Pixels[(y * Width) + x];
}

/// <summary>An 8-bit RGB picture, row-major, three bytes (R, G, B) per pixel.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Pixels">R, G, B levels, row by row; <c>Pixels.Length == 3 * Width * Height</c>.</param>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The (R, G, B) levels at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            int i = 3 * ((y * Width) + x);
            return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
    }
}

/// <summary>Writes sample grids of generated images as PNG.</summary>
public static class ImageGrid
{
    /// <summary>
    /// Rows and columns for <paramref name="count"/> tiles: with <paramref name="columns"/> given, that many columns;
    /// otherwise columns = ceil(sqrt(count)) and rows = ceil(count / columns) (16 -> 4x4, 64 -> 8x8, 10 -> 3x4).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">count or columns is less than 1.</exception>
    public static (int Rows, int Columns) Layout(int count, int? columns = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int cols;
        if (columns is int c)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(c, 1, nameof(columns));
            cols = Math.Min(c, count);
        }
        else
        {
            cols = (int)Math.Ceiling(Math.Sqrt(count));
            // Guard against sqrt rounding for perfect squares of large numbers.
            while ((long)(cols - 1) * (cols - 1) >= count)
            {
                cols--;
            }
            while ((long)cols * cols < count)
            {
                cols++;
            }
        }
        int rows = (count + cols - 1) / cols;
        return (rows, cols);
    }

    /// <summary>
    /// Maps one tanh output to a gray level: clamp(round((x + 1) * 127.5), 0, 255), midpoint away from zero,
    /// so -1 -> 0, 0 -> 128, 1 -> 255. NaN maps to 0 (black) so a diverged generator still gives a picture.
    /// </summary>
    public static byte ToPixel(float x)
    {
        if (float.IsNaN(x))
        {
            return 0;
        }
        double level = Math.Round(((double)x + 1.0) * 127.5, MidpointRounding.AwayFromZero);
        return (byte)Math.Clamp(level, 0.0, 255.0);
    }

    /// <summary>Renders the grid into gray pixels without encoding.</summary>
    /// <param name="images">N x 1 x H x W floats, NCHW row-major, nominally in [-1, 1].</param>
    /// <param name="count">N, the number of images.</param>
    /// <param name="height">H of one image.</param>
    /// <param name="width">W of one image.</param>
    /// <param name="options">Layout; null for defaults.</param>
    /// <exception cref="ArgumentException">The lengths do not match N*H*W, or a size is out of range.</exception>
    public static GrayImage Render(ReadOnlySpan<float> images, int count, int height, int width, ImageGridOptions? options = null)
    {
        (int w, int h, byte[] pixels) = RenderInterleaved(images, count, 1, height, width, options);
        return new GrayImage(w, h, pixels);
    }

    /// <summary>Renders a grid of colour images into RGB pixels without encoding.</summary>
    /// <param name="images">N x 3 x H x W floats, NCHW row-major (planes R, G, B), nominally in [-1, 1].</param>
    /// <param name="count">N, the number of images.</param>
    /// <param name="height">H of one image.</param>
    /// <param name="width">W of one image.</param>
    /// <param name="options">Layout; null for defaults. Padding is <see cref="ImageGridOptions.PadValue"/> in all three channels.</param>
    /// <exception cref="ArgumentException">The lengths do not match N*3*H*W, or a size is out of range.</exception>
    public static RgbImage RenderRgb(ReadOnlySpan<float> images, int count, int height, int width, ImageGridOptions? options = null)
    {
        (int w, int h, byte[] pixels) = RenderInterleaved(images, count, 3, height, width, options);
        return new RgbImage(w, h, pixels);
    }

    // One layout for grey and colour: the planes of each NCHW image interleaved into the grid's pixels.
    private static (int Width, int Height, byte[] Pixels) RenderInterleaved(ReadOnlySpan<float> images, int count, int channels, int height, int width, ImageGridOptions? options)
    {
        options ??= new ImageGridOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (options.Padding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Padding, "ImageGridOptions.Padding must be >= 0.");
        }
        if (options.Scale < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Scale, "ImageGridOptions.Scale must be >= 1.");
        }
        long expected = (long)count * channels * height * width;
        if (images.Length != expected)
        {
            throw new ArgumentException(
                $"Expected {count} x {channels} x {height} x {width} = {expected} floats ({(channels == 1 ? "one channel" : $"{channels} channels")}), got {images.Length}.", nameof(images));
        }

        (int rows, int cols) = Layout(count, options.Columns);
        int pad = options.Padding;
        int gridWidth = checked((cols * (width + pad)) + pad);
        int gridHeight = checked((rows * (height + pad)) + pad);
        int outWidth = checked(gridWidth * options.Scale);
        int outHeight = checked(gridHeight * options.Scale);
        int stride = checked(gridWidth * channels);
        byte[] grid = new byte[checked(stride * gridHeight)];
        Array.Fill(grid, options.PadValue);

        int plane = height * width;
        for (int n = 0; n < count; n++)
        {
            int top = pad + ((n / cols) * (height + pad));
            int left = pad + ((n % cols) * (width + pad));
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> tile = images.Slice(((n * channels) + c) * plane, plane); // (H, W) of channel c
                for (int y = 0; y < height; y++)
                {
                    int rowStart = ((top + y) * stride) + (left * channels) + c;
                    for (int x = 0; x < width; x++)
                    {
                        grid[rowStart + (x * channels)] = ToPixel(tile[(y * width) + x]);
                    }
                }
            }
        }

        if (options.Scale == 1)
        {
            return (gridWidth, gridHeight, grid);
        }
        int s = options.Scale;
        int outStride = outWidth * channels;
        byte[] scaled = new byte[checked(outStride * outHeight)];
        for (int y = 0; y < outHeight; y++)
        {
            int sourceRow = (y / s) * stride;
            Span<byte> target = scaled.AsSpan(y * outStride, outStride);
            for (int x = 0; x < outWidth; x++)
            {
                int source = sourceRow + ((x / s) * channels);
                for (int c = 0; c < channels; c++)
                {
                    target[(x * channels) + c] = grid[source + c];
                }
            }
        }
        return (outWidth, outHeight, scaled);
    }

    /// <summary>Encodes a gray picture as an 8-bit grayscale PNG with SkiaSharp.</summary>
    /// <exception cref="ArgumentException">Pixels.Length is not Width * Height.</exception>
    /// <exception cref="InvalidOperationException">SkiaSharp could not encode the image.</exception>
    public static byte[] EncodePng(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width < 1 || image.Height < 1 || image.Pixels.Length != (long)image.Width * image.Height)
        {
            throw new ArgumentException(
                $"GrayImage of {image.Width} x {image.Height} needs {(long)image.Width * image.Height} pixels, has {image.Pixels.Length}.", nameof(image));
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        using SKImage skImage = SKImage.FromPixelCopy(info, image.Pixels, image.Width)
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {image.Width} x {image.Height} Gray8 image.");
        using SKData data = skImage.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width} x {image.Height} Gray8 image as PNG.");
        return data.ToArray();
    }

    /// <summary>Encodes an RGB picture as an opaque 8-bit RGBA PNG with SkiaSharp (Skia has no 24-bit pixel format).</summary>
    /// <exception cref="ArgumentException">Pixels.Length is not 3 * Width * Height.</exception>
    /// <exception cref="InvalidOperationException">SkiaSharp could not encode the image.</exception>
    public static byte[] EncodePng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long pixels = (long)image.Width * image.Height;
        if (image.Width < 1 || image.Height < 1 || image.Pixels.Length != 3 * pixels)
        {
            throw new ArgumentException($"RgbImage of {image.Width} x {image.Height} needs {3 * pixels} bytes, has {image.Pixels.Length}.", nameof(image));
        }
        byte[] rgba = new byte[checked(4 * (int)pixels)];
        for (int i = 0; i < pixels; i++)
        {
            rgba[4 * i] = image.Pixels[3 * i];
            rgba[(4 * i) + 1] = image.Pixels[(3 * i) + 1];
            rgba[(4 * i) + 2] = image.Pixels[(3 * i) + 2];
            rgba[(4 * i) + 3] = 255;
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using SKImage skImage = SKImage.FromPixelCopy(info, rgba, image.Width * 4)
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {image.Width} x {image.Height} RGBA image.");
        using SKData data = skImage.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Width} x {image.Height} RGBA image as PNG.");
        return data.ToArray();
    }

    /// <summary>
    /// Renders N × <paramref name="channels"/> × H × W images (1 = grey, 3 = RGB) into a grid, writes it to
    /// <paramref name="path"/> atomically and returns the PNG bytes.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="channels"/> is not 1 or 3, or the lengths do not match.</exception>
    public static byte[] WritePng(string path, ReadOnlySpan<float> images, int count, int channels, int height, int width, ImageGridOptions? options)
    {
        byte[] png = channels switch
        {
            1 => EncodePng(Render(images, count, height, width, options)),
            3 => EncodePng(RenderRgb(images, count, height, width, options)),
            _ => throw new ArgumentException($"An image grid needs 1 (grey) or 3 (RGB) channels, got {channels}.", nameof(channels)),
        };
        AtomicFile.WriteAllBytes(path, png);
        return png;
    }

    /// <summary>Renders and encodes the grid; returns the PNG bytes (keep them for <see cref="ProgressGif"/>).</summary>
    public static byte[] EncodePng(ReadOnlySpan<float> images, int count, int height, int width, ImageGridOptions? options = null)
    {
        return EncodePng(Render(images, count, height, width, options));
    }

    /// <summary>Renders the grid, writes it to <paramref name="path"/> atomically and returns the PNG bytes.</summary>
    /// <param name="path">Target file, e.g. <c>out/epoch_003.png</c>; its folder is created when missing.</param>
    /// <param name="images">N x 1 x H x W floats in [-1, 1].</param>
    /// <param name="count">N.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="options">Layout; null for defaults (2 px black padding, near-square, no upscale).</param>
    public static byte[] WritePng(string path, ReadOnlySpan<float> images, int count, int height, int width, ImageGridOptions? options = null)
    {
        byte[] png = EncodePng(images, count, height, width, options);
        AtomicFile.WriteAllBytes(path, png);
        return png;
    }

    /// <summary>Same as the span overload for a generator output tensor of shape [N, C, H, W], C = 1 or 3 (copied to the host).</summary>
    /// <exception cref="ArgumentException">The tensor is not of rank 4 with one or three channels.</exception>
    public static byte[] WritePng(string path, Tensor images, ImageGridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        TensorShape shape = images.Shape;
        if (shape.Rank != 4 || (shape[1] != 1 && shape[1] != 3))
        {
            throw new ArgumentException($"Expected a tensor of shape [N, 1, H, W] or [N, 3, H, W], got {shape}.", nameof(images));
        }
        return WritePng(path, images.ToArray(), shape[0], shape[1], shape[2], shape[3], options);
    }
}
