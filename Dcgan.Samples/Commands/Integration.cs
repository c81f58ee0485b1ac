// Adapters between the trainer and the data and output layers.
namespace Dcgan.Samples.Commands;

using Dcgan.Data;
using Dcgan.Samples.Data;
using Dcgan.Samples.Output;
using Dcgan.Samples.Terminal;
using Dcgan.Samples.Training;

/// <summary>Resolves --data / cache / --download / embedded sample into training images.</summary>
public static class DataSources
{
    public static TrainingImages Load(TrainOptions o, Action<string> message)
    {
        DatasetResolution r = DatasetResolver.ResolveAsync(new DatasetRequest
        {
            Dataset = DatasetInfo.Parse(o.Dataset),
            DataDirectory = o.Data,
            AllowDownload = o.Download,
            Progress = DownloadLine,
        }).GetAwaiter().GetResult();
        message(r.Message);
        MnistDataset d = r.Dataset;
        return new TrainingImages(d.Images, d.Count, d.Channels, d.Height, d.Width, r.Folder ?? "embedded MNIST sample");
    }

    // A one-line progress display on a terminal (carriage return, no escape codes); start/end lines in logs.
    private static void DownloadLine(DownloadProgress p)
    {
        bool terminal = !Console.IsErrorRedirected;
        switch (p.Stage)
        {
            case DownloadStage.Started:
                Console.Error.WriteLine($"downloading {p.FileName} ({p.FileIndex + 1}/{p.FileCount}) from {p.Url}");
                break;
            case DownloadStage.Receiving when terminal:
                string total = p.TotalBytes is { } t && t > 0 ? $" / {t / 1048576.0:F1} MiB ({100.0 * p.BytesReceived / t:F0}%)" : string.Empty;
                Console.Error.Write($"\r  {p.BytesReceived / 1048576.0:F1} MiB{total}   ");
                break;
            case DownloadStage.Completed:
                Console.Error.WriteLine(terminal ? $"\r  {p.FileName}: {p.BytesReceived / 1048576.0:F1} MiB, checksum ok          " : $"  {p.FileName}: {p.BytesReceived} bytes, checksum ok");
                break;
            case DownloadStage.MirrorFailed:
                Console.Error.WriteLine($"{(terminal ? "\r" : string.Empty)}  {p.Url}: {p.Message}");
                break;
        }
    }
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
