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
    /// <summary>
    /// Finds the data for a run. <paramref name="previous"/> (a resumed checkpoint's record) is looked for first when no
    /// --data was given: its folder when it still holds the files, or the embedded sample, so that a new set appearing in
    /// the cache folder does not change what a resumed run trains on.
    /// </summary>
    public static TrainingImages Load(TrainOptions o, Action<string> message, DataRecord? previous = null)
    {
        if (!DataDefaults.IsIdx(o.Dataset))
        {
            return LoadImages(o, message, previous);
        }

        DatasetInfo info = DatasetInfo.Parse(o.Dataset);
        if (o.Data is null && previous is not null && previous.Dataset == info.Name)
        {
            if (previous.Location == DataRecord.Embedded && info.EmbeddedFallback)
            {
                MnistDataset sample = EmbeddedMnist.Load();
                message($"Using the embedded MNIST sample ({sample.Count} training images), as the checkpoint's run did.");
                return Images(sample, info, DataRecord.Embedded, null);
            }

            if (previous.Location != DataRecord.Embedded && MnistDataset.HasFiles(previous.Location))
            {
                MnistDataset data = MnistDataset.Load(previous.Location);
                message($"Read the {info.DisplayName} training set ({data.Count} images) from {previous.Location}, as the checkpoint's run did.");
                return Images(data, info, previous.Source, previous.Location);
            }
        }

        DatasetResolution r = DatasetResolver.ResolveAsync(new DatasetRequest
        {
            Dataset = info,
            DataDirectory = o.Data,
            AllowDownload = o.Download,
            Progress = DownloadLine,
        }).GetAwaiter().GetResult();
        message(r.Message);
        string origin = r.Source switch
        {
            DataSource.Folder => "folder",
            DataSource.SystemFolder => "system-folder",
            DataSource.Cache => "cache",
            DataSource.Downloaded => "downloaded",
            _ => DataRecord.Embedded,
        };
        return Images(r.Dataset, info, origin, r.Folder);
    }

    // --dataset folder / cifar10: --data, else (on --resume) the checkpoint's folder.
    private static TrainingImages LoadImages(TrainOptions o, Action<string> message, DataRecord? previous)
    {
        string folder = o.Data
            ?? (previous is { } p && p.Dataset == o.Dataset && p.Location != DataRecord.Embedded ? p.Location : null)
            ?? throw new ArgumentException($"--dataset {o.Dataset} needs --data DIR: {(o.Dataset == DataDefaults.Folder ? "a folder of images (PNG, JPEG, BMP, WebP, GIF; subfolders are read too)" : "the folder holding data_batch_1.bin … data_batch_5.bin")}.");
        FolderLoad load = o.Dataset == DataDefaults.Cifar10
            ? FolderDataset.LoadCifar10(folder, o.ResolvedImageSize, o.ResolvedChannels)
            : FolderDataset.Load(folder, o.ResolvedImageSize, o.ResolvedChannels, DatasetResolver.DefaultCacheRoot(), DecodeLine, o.Threads, o.ResolvedBackground, o.Limit);
        foreach (string warning in load.Warnings)
        {
            ErrorOutput.Warning(warning);
        }

        message(load.Message);
        return load.Images;
    }

    // A one-line bar on a terminal (carriage return, no escape codes), as the download progress; in logs a line at
    // the start and at every further 25 %.
    private static void DecodeLine(DecodeProgress p)
    {
        bool terminal = !Console.IsErrorRedirected;
        double rate = p.Done / Math.Max(p.Elapsed.TotalSeconds, 1e-9);
        if (terminal)
        {
            const int width = 24;
            int filled = p.Total == 0 ? width : (int)((long)width * p.Done / p.Total);
            Console.Error.Write($"\r  decoding [{new string('#', filled)}{new string('-', width - filled)}] {p.Done:N0}/{p.Total:N0} images, {rate:N0}/s   ");
            if (p.Finished)
            {
                Console.Error.Write("\r" + new string(' ', 78) + "\r");
            }

            return;
        }

        int quarter = p.Finished || p.Total == 0 ? 4 : (int)(4L * p.Done / p.Total);
        if (quarter > _decodeQuarter)
        {
            Console.Error.WriteLine($"  decoding: {p.Done:N0}/{p.Total:N0} images ({100.0 * p.Done / Math.Max(p.Total, 1):F0}%), {rate:N0} images/s");
            _decodeQuarter = quarter;
        }

        if (p.Finished)
        {
            _decodeQuarter = -1;
        }
    }

    private static int _decodeQuarter = -1;

    private static TrainingImages Images(MnistDataset d, DatasetInfo info, string origin, string? folder)
    {
        if (d.Count == 0)
        {
            string file = (folder is null ? null : MnistDataset.FindFile(folder, MnistDataset.TrainImagesFile)) ?? d.Source;
            throw new InvalidDataException($"{file}: holds 0 images (its header's count is 0); expected at least one {info.DisplayName} training image.");
        }

        return new(d.RawImages, d.Count, d.Channels, d.Height, d.Width, folder ?? "embedded MNIST sample")
        {
            Dataset = info.Name,
            Origin = origin,
            Folder = folder,
            Labels = d.Labels,
        };
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

/// <summary>Writes a run's files: epoch_NNNN.png, progress.gif, losses.csv and losses.png.</summary>
public sealed class RunArtifacts(Action<string>? warn = null) : IRunObserver
{
    private bool _warnedFont;

    /// <summary>Grid layout: 2-pixel borders as torchvision's save_image; small images scaled ×2 to be seen.</summary>
    public static ImageGridOptions GridOptions(ImageGeometry geometry) => new() { Scale = geometry.Height < 64 ? 2 : 1 };

    /// <inheritdoc/>
    public void EpochEnded(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ImageGrid.WritePng(Path.Combine(output.Folder, $"epoch_{output.Epoch:D4}.png"), output.Samples, output.SampleCount, output.Geometry.Channels,
            output.Geometry.Height, output.Geometry.Width, GridOptions(output.Geometry) with { Columns = output.Columns });
        AppendLosses(Path.Combine(output.Folder, "losses.csv"), output.EpochRows);
        var frames = Directory.GetFiles(output.Folder, "epoch_*.png").Order(StringComparer.Ordinal).ToList();
        var gif = new ProgressGif();
        gif.AddFiles(frames);
        gif.Write(Path.Combine(output.Folder, "progress.gif"));
        PlotFontChoice font = LossPlot.Write(Path.Combine(output.Folder, "losses.png"), output.AllRows);
        if (!font.CanDrawText && !_warnedFont)
        {
            _warnedFont = true;
            warn?.Invoke($"losses.png has no text: {font.Description}");
        }
    }

    /// <inheritdoc/>
    public void Interrupted(string folder, IReadOnlyList<LossRecord> epochRows) => AppendLosses(Path.Combine(folder, "losses.csv"), epochRows);

    private static void AppendLosses(string path, IReadOnlyList<LossRecord> rows)
    {
        using LossCsv csv = File.Exists(path) ? LossCsv.Append(path) : LossCsv.Create(path);
        foreach (LossRecord r in rows)
        {
            csv.Add(r);
        }

        csv.Flush();
    }
}
