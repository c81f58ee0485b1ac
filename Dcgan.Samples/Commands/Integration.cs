// Adapters between the trainer and the data and output layers.
namespace Dcgan.Samples.Commands;

using Dcgan.Samples.Output;
using Dcgan.Samples.Terminal;
using Dcgan.Samples.Training;

public static class DataSources
{
    public static TrainingImages Load(TrainOptions o, Action<string> message) => throw new InvalidDataException("data loading is not wired yet.");
}

/// <summary>Writes grids, the GIF, the loss plot and losses.csv with the Output layer.</summary>
public sealed class RunArtifacts(Action<string>? warn = null) : IRunArtifacts
{
    private bool _warnedFont;

    public void WriteGrid(string path, float[] images, int count, int height, int width) =>
        ImageGrid.WritePng(path, images, count, height, width, new ImageGridOptions { Scale = 2 });

    public void WriteGif(string path, IReadOnlyList<string> framePaths)
    {
        var gif = new ProgressGif();
        gif.AddFiles(framePaths);
        gif.Write(path);
    }

    public void WriteLossPlot(string path, IReadOnlyList<LossRecord> rows)
    {
        PlotFontChoice font = LossPlot.Write(path, rows);
        if (!font.CanDrawText && !_warnedFont)
        {
            _warnedFont = true;
            warn?.Invoke($"losses.png has no text: {font.Description}");
        }
    }

    public void AppendLosses(string path, IReadOnlyList<LossRecord> rows)
    {
        using LossCsv csv = File.Exists(path) ? LossCsv.Append(path) : LossCsv.Create(path);
        foreach (LossRecord r in rows)
        {
            csv.Add(r);
        }

        csv.Flush();
    }
}
