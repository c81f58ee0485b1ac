// --background for --dataset folder: the opaque colour that the transparent and half-transparent pixels of icons, sprites
// and logos are composited onto before the grey/RGB conversion and the resize. "none" keeps torchvision's behaviour (alpha
// dropped, whatever RGB lies under a transparent pixel kept), so it is represented by no ImageBackground at all.
namespace Dcgan.Samples.Data;

using System.Buffers;
using System.Globalization;

/// <summary>An opaque background colour (<c>--background white|black|#RRGGBB</c>) for images with an alpha channel.</summary>
/// <param name="R">Red, 0–255.</param>
/// <param name="G">Green, 0–255.</param>
/// <param name="B">Blue, 0–255.</param>
public readonly record struct ImageBackground(byte R, byte G, byte B)
{
    /// <summary>The --background value that composites nothing (alpha dropped, as PIL's <c>convert('RGB')</c>); the default.</summary>
    public const string None = "none";

    /// <summary>The accepted values, for messages.</summary>
    public const string Expected = "none, white, black or #RRGGBB (six hex digits, e.g. #808080)";

    /// <summary>White, #ffffff.</summary>
    public static readonly ImageBackground White = new(255, 255, 255);

    /// <summary>Black, #000000.</summary>
    public static readonly ImageBackground Black = new(0, 0, 0);

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The colour as six lower-case hex digits without '#' (e.g. "ffffff"), as cache file names use it.</summary>
    public string Hex => $"{R:x2}{G:x2}{B:x2}";

    /// <summary>"#rrggbb".</summary>
    public override string ToString() => "#" + Hex;

    /// <summary>
    /// Reads a --background value: none, white, black or #RRGGBB, case-insensitive. <paramref name="background"/> is null
    /// for none (and when the text is not valid).
    /// </summary>
    /// <returns>Whether <paramref name="text"/> is one of the accepted values.</returns>
    public static bool TryParse(string? text, out ImageBackground? background)
    {
        background = null;
        if (text is null)
        {
            return false;
        }

        if (text.Equals(None, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Equals("white", StringComparison.OrdinalIgnoreCase))
        {
            background = White;
            return true;
        }

        if (text.Equals("black", StringComparison.OrdinalIgnoreCase))
        {
            background = Black;
            return true;
        }

        if (text.Length != 7 || text[0] != '#' || text.AsSpan(1).ContainsAnyExcept(HexDigits))
        {
            return false;
        }

        int rgb = int.Parse(text.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        background = new ImageBackground((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
        return true;
    }

    /// <summary>
    /// Composites unpremultiplied RGBA pixels over this opaque colour in place: each colour channel becomes
    /// (c·a + bg·(255 − a) + 127) / 255 in integer maths, alpha becomes 255. This is "over" compositing of unpremultiplied
    /// alpha (Porter &amp; Duff 1984, "Compositing Digital Images") onto an opaque background, what PIL's
    /// <c>Image.alpha_composite(background, image)</c> computes, rounded to the nearest level.
    /// </summary>
    /// <param name="rgba">R, G, B, A bytes per pixel; its length a multiple of 4.</param>
    public void Composite(Span<byte> rgba)
    {
        int r = R, g = G, b = B;
        for (int i = 0; i + 3 < rgba.Length; i += 4)
        {
            int a = rgba[i + 3];
            if (a == 255)
            {
                continue;
            }

            int under = 255 - a;
            rgba[i] = (byte)(((rgba[i] * a) + (r * under) + 127) / 255);
            rgba[i + 1] = (byte)(((rgba[i + 1] * a) + (g * under) + 127) / 255);
            rgba[i + 2] = (byte)(((rgba[i + 2] * a) + (b * under) + 127) / 255);
            rgba[i + 3] = 255;
        }
    }
}
