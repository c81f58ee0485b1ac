// quality.png: a run's sample quality against the epoch, two panels drawn with ScottPlot 5 as losses.png is: above, the
// classifier-feature Fréchet distance with the real-vs-real distance for scale; below, the classifier score (left axis)
// and the lowest and highest class share (and a conditional model's class accuracy) in percent (right axis).
using ScottPlot;
using SkiaSharp;

namespace Dcgan.Samples.Output;

using Dcgan.Serialization;

/// <summary>Draws the quality curves of a training run from its <see cref="QualityRecord"/>s.</summary>
public static class QualityPlot
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "quality.png";

    /// <summary>Renders both panels, one above the other, and returns PNG bytes.</summary>
    /// <param name="records">Measured epochs in any order; x = <see cref="QualityRecord.Epoch"/>. May be empty (axes only).</param>
    /// <param name="width">Image width in pixels, >= 100.</param>
    /// <param name="height">Image height in pixels (both panels), >= 200.</param>
    /// <exception cref="ArgumentOutOfRangeException">width below 100 or height below 200.</exception>
    public static byte[] RenderPng(IReadOnlyList<QualityRecord> records, int width = 800, int height = 800)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 200);
        QualityRecord[] rows = records.OrderBy(r => r.Epoch).ToArray();
        double[] epochs = rows.Select(r => (double)r.Epoch).ToArray();
        PlotFontChoice font = PlotFont.Choice;

        var distance = new Plot();
        if (rows.Length > 0)
        {
            Line(distance, epochs, rows.Select(r => r.Distance), "#1f77b4", "Fréchet distance");
            var baseline = Line(distance, epochs, rows.Select(r => r.RealBaseline), "#7f7f7f", "real vs real");
            baseline.LinePattern = LinePattern.Dashed;
            baseline.MarkerSize = 0;
        }

        distance.Title("Fréchet distance on classifier features (lower is better; not Inception FID)");
        distance.XLabel("epoch");
        distance.YLabel("distance");
        distance.ShowLegend(Alignment.UpperRight);
        LossPlot.ApplyFont(distance, font);

        var classes = new Plot();
        if (rows.Length > 0)
        {
            Line(classes, epochs, rows.Select(r => r.Score), "#ff7f0e", "classifier score");
            Line(classes, epochs, rows.Select(r => 100 * r.LowestShare), "#2ca02c", "lowest class share %").Axes.YAxis = classes.Axes.Right;
            Line(classes, epochs, rows.Select(r => 100 * r.HighestShare), "#d62728", "highest class share %").Axes.YAxis = classes.Axes.Right;
            if (rows.All(r => r.ClassAccuracy is not null))
            {
                Line(classes, epochs, rows.Select(r => 100 * r.ClassAccuracy!.Value), "#9467bd", "class accuracy %").Axes.YAxis = classes.Axes.Right;
            }
        }

        classes.Title("Classifier score (at most 10) and class shares (10 % each when balanced)");
        classes.XLabel("epoch");
        classes.YLabel("classifier score");
        classes.Axes.Right.Label.Text = "percent of samples";
        classes.Axes.SetLimitsY(0, 10.5, classes.Axes.Left);
        classes.Axes.SetLimitsY(0, 105, classes.Axes.Right);
        classes.ShowLegend(Alignment.UpperLeft);
        LossPlot.ApplyFont(classes, font);

        // Each panel on its own surface (a plot's render fills its whole canvas), then one above the other.
        int top = height / 2;
        using SKImage upper = Panel(distance, width, top);
        using SKImage lower = Panel(classes, width, height - top);
        using SKSurface surface = Surface(width, height);
        surface.Canvas.DrawImage(upper, 0, 0);
        surface.Canvas.DrawImage(lower, 0, top);
        using SKImage image = surface.Snapshot();
        using SKData png = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("SkiaSharp could not encode quality.png.");
        return png.ToArray();
    }

    /// <summary>Renders the plot and writes it to <paramref name="path"/> atomically.</summary>
    /// <returns>The font used; when <see cref="PlotFontChoice.CanDrawText"/> is false the plot has no text.</returns>
    public static PlotFontChoice Write(string path, IReadOnlyList<QualityRecord> records)
    {
        AtomicFile.WriteAllBytes(path, RenderPng(records));
        return PlotFont.Choice;
    }

    private static SKSurface Surface(int width, int height) =>
        SKSurface.Create(new SKImageInfo(width, height)) ?? throw new InvalidOperationException($"SkiaSharp could not create a {width} x {height} surface.");

    private static SKImage Panel(Plot plot, int width, int height)
    {
        using SKSurface surface = Surface(width, height);
        plot.Render(surface.Canvas, width, height);
        return surface.Snapshot();
    }

    private static ScottPlot.Plottables.Scatter Line(Plot plot, double[] x, IEnumerable<double> y, string colour, string legend)
    {
        var line = plot.Add.Scatter(x, y.ToArray(), Color.FromHex(colour));
        line.LegendText = legend;
        line.LineWidth = 1.5f;
        line.MarkerSize = 5;
        return line;
    }
}
