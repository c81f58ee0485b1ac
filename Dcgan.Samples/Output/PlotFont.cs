// Picks the font ScottPlot draws text with. ScottPlot 5 bundles no font file: it asks SkiaSharp for a
// family by name, and with SkiaSharp.NativeAssets.Linux.NoDependencies (no fontconfig; it scans
// /usr/share/fonts only) a missing family yields an empty typeface, so titles, labels and ticks vanish
// without any error. So we check that the typeface really has glyphs, and otherwise register a font
// file ourselves: $DCGAN_FONT_FILE, then DejaVuSans.ttf, then any TrueType/OpenType file we can find.
using ScottPlot;
using SkiaSharp;

namespace Dcgan.Samples.Output;

/// <summary>The font chosen for plot text.</summary>
/// <param name="Family">Family name given to ScottPlot, or null when no usable font exists (plots then have no text).</param>
/// <param name="FilePath">The font file registered with ScottPlot, or null when the system font manager supplies the family.</param>
/// <param name="Description">One line saying what was chosen and why, for a warning or a log.</param>
public sealed record PlotFontChoice(string? Family, string? FilePath, string Description)
{
    /// <summary>True when text will be drawn.</summary>
    public bool CanDrawText => Family is not null;
}

/// <summary>Finds a font that can draw plot text, preferring DejaVu Sans.</summary>
public static class PlotFont
{
    /// <summary>The family we ask for first.</summary>
    public const string Preferred = "DejaVu Sans";

    /// <summary>Environment variable naming a .ttf/.otf file to use instead of searching.</summary>
    public const string FileVariable = "DCGAN_FONT_FILE";

    // ScottPlot's font registry is process-wide, so resolve (and register) once.
    private static readonly Lazy<PlotFontChoice> Cached = new(Resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The font for this process, resolved on first use.</summary>
    public static PlotFontChoice Choice => Cached.Value;

    private static PlotFontChoice Resolve()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable(FileVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            if (TryRegisterFile(fromEnvironment, boldPath: null, out PlotFontChoice? chosen, $"from ${FileVariable}"))
            {
                return chosen!;
            }
            // A wrong path should not cost the plot its text: fall through to the search, but say so.
            PlotFontChoice fallback = ResolveWithoutEnvironment();
            return fallback with { Description = $"${FileVariable}='{fromEnvironment}' is not a usable font file; {fallback.Description}" };
        }
        return ResolveWithoutEnvironment();
    }

    private static PlotFontChoice ResolveWithoutEnvironment()
    {
        if (HasGlyphs(Preferred))
        {
            return new PlotFontChoice(Preferred, null, $"'{Preferred}' from the system font manager");
        }

        List<string> files = FindFontFiles();
        string? dejaVu = files.FirstOrDefault(f => Path.GetFileName(f).Equals("DejaVuSans.ttf", StringComparison.OrdinalIgnoreCase));
        if (dejaVu is not null)
        {
            string? bold = files.FirstOrDefault(f => Path.GetFileName(f).Equals("DejaVuSans-Bold.ttf", StringComparison.OrdinalIgnoreCase));
            if (TryRegisterFile(dejaVu, bold, out PlotFontChoice? chosen, "found by searching font folders"))
            {
                return chosen!;
            }
        }

        // No DejaVu Sans: any family the font manager can actually draw, sans-serif first.
        string? system = SKFontManager.Default.FontFamilies
            .OrderByDescending(f => f.Contains("Sans", StringComparison.OrdinalIgnoreCase))
            .ThenBy(f => f, StringComparer.Ordinal)
            .FirstOrDefault(HasGlyphs);
        if (system is not null)
        {
            return new PlotFontChoice(system, null, $"'{Preferred}' is not installed; using '{system}' from the system font manager");
        }

        foreach (string file in files.Where(f => !f.Equals(dejaVu, StringComparison.Ordinal)))
        {
            if (TryRegisterFile(file, boldPath: null, out PlotFontChoice? chosen, $"'{Preferred}' is not installed; first font file found"))
            {
                return chosen!;
            }
        }

        return new PlotFontChoice(null, null,
            $"no usable font found (no '{Preferred}', no font files in the usual folders); plots will have no text. " +
            $"Install fonts-dejavu-core or set {FileVariable} to a .ttf file.");
    }

    private static bool HasGlyphs(string family)
    {
        using SKTypeface? typeface = SKFontManager.Default.MatchFamily(family);
        return typeface is not null && typeface.GlyphCount > 0
            && string.Equals(typeface.FamilyName, family, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryRegisterFile(string path, string? boldPath, out PlotFontChoice? choice, string why)
    {
        choice = null;
        if (!File.Exists(path))
        {
            return false;
        }
        string family;
        using (SKTypeface? typeface = SKTypeface.FromFile(path))
        {
            if (typeface is null || typeface.GlyphCount == 0 || string.IsNullOrEmpty(typeface.FamilyName))
            {
                return false;
            }
            family = typeface.FamilyName;
        }
        // ScottPlot asks for the bold face for titles; a file resolver only answers the exact style it was
        // registered for, so register the regular file as bold too when there is no bold file.
        Fonts.AddFontFile(family, path, bold: false, italic: false);
        Fonts.AddFontFile(family, boldPath is not null && File.Exists(boldPath) ? boldPath : path, bold: true, italic: false);
        choice = new PlotFontChoice(family, path, $"'{family}' from {path} ({why})");
        return true;
    }

    private static List<string> FindFontFiles()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] roots =
        [
            "/usr/share/fonts",
            "/usr/local/share/fonts",
            Path.Combine(home, ".local", "share", "fonts"),
            Path.Combine(home, ".fonts"),
            "/Library/Fonts",
            "/System/Library/Fonts",
            Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
        ];
        var files = new List<string>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 6 };
        foreach (string root in roots.Where(r => r.Length > 0 && Directory.Exists(r)).Distinct(StringComparer.Ordinal))
        {
            foreach (string file in Directory.EnumerateFiles(root, "*", options))
            {
                string extension = Path.GetExtension(file);
                if (extension.Equals(".ttf", StringComparison.OrdinalIgnoreCase) || extension.Equals(".otf", StringComparison.OrdinalIgnoreCase))
                {
                    files.Add(file);
                }
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
