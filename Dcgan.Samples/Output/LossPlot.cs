// losses.png: Loss_D and Loss_G against the training iteration, drawn with ScottPlot 5 like the
// "Generator and Discriminator Loss During Training" figure of the PyTorch DCGAN tutorial. Every text
// element gets the font from PlotFont explicitly, since ScottPlot draws nothing when a font is missing.
using ScottPlot;

namespace Dcgan.Samples.Output;

using Dcgan.Serialization;

/// <summary>Draws the loss curves of a training run.</summary>
public static class LossPlot
{
    /// <summary>The default title, as in the PyTorch DCGAN tutorial.</summary>
    public const string DefaultTitle = "Generator and Discriminator Loss During Training";

    /// <summary>Renders the plot and returns PNG bytes.</summary>
    /// <param name="records">Iterations in any order; x = <see cref="LossRecord.Step"/>. May be empty (axes only).</param>
    /// <param name="width">Image width in pixels, >= 100.</param>
    /// <param name="height">Image height in pixels, >= 100.</param>
    /// <param name="title">Plot title.</param>
    /// <exception cref="ArgumentOutOfRangeException">width or height below 100.</exception>
    public static byte[] RenderPng(IReadOnlyList<LossRecord> records, int width = 800, int height = 500, string title = DefaultTitle)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);

        var plot = new Plot();
        if (records.Count > 0)
        {
            double[] steps = new double[records.Count];
            double[] lossD = new double[records.Count];
            double[] lossG = new double[records.Count];
            for (int i = 0; i < records.Count; i++)
            {
                steps[i] = records[i].Step;
                lossD[i] = records[i].LossD;
                lossG[i] = records[i].LossG;
            }
            // Colours of matplotlib's first two cycle entries, as in the tutorial's figure.
            var d = plot.Add.ScatterLine(steps, lossD, Color.FromHex("#1f77b4"));
            d.LegendText = "Loss_D";
            d.LineWidth = 1.5f;
            var g = plot.Add.ScatterLine(steps, lossG, Color.FromHex("#ff7f0e"));
            g.LegendText = "Loss_G";
            g.LineWidth = 1.5f;
        }
        plot.Title(title);
        plot.XLabel("iterations");
        plot.YLabel("Loss");
        plot.ShowLegend(Alignment.UpperRight);
        ApplyFont(plot, PlotFont.Choice);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }

    /// <summary>Renders the plot and writes it to <paramref name="path"/> atomically.</summary>
    /// <returns>The font used; when <see cref="PlotFontChoice.CanDrawText"/> is false the plot has lines but no
    /// text, and the caller should print <see cref="PlotFontChoice.Description"/> as a warning.</returns>
    public static PlotFontChoice Write(string path, IReadOnlyList<LossRecord> records, int width = 800, int height = 500, string title = DefaultTitle)
    {
        AtomicFile.WriteAllBytes(path, RenderPng(records, width, height, title));
        return PlotFont.Choice;
    }

    /// <summary>Gives every text element of <paramref name="plot"/> the family of <paramref name="font"/> (none when it has no family).</summary>
    internal static void ApplyFont(Plot plot, PlotFontChoice font)
    {
        if (font.Family is not string family)
        {
            return;
        }
        plot.Font.Set(family);
        // Font.Set covers the common parts; name each text element too so none keeps another default.
        plot.Axes.Title.Label.FontName = family;
        foreach (var axis in plot.Axes.GetAxes())
        {
            axis.Label.FontName = family;
            axis.TickLabelStyle.FontName = family;
        }
        plot.Legend.FontName = family;
    }
}
