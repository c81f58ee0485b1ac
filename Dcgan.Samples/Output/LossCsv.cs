// losses.csv: one row per training iteration, header epoch,step,loss_d,loss_g,d_x,d_g_z, invariant
// culture, floats in their shortest round-trippable form ("R"), so float.Parse gives back the same bits.
// Rows are held in memory and written + flushed to disk once per epoch (Flush), so after a crash the
// file holds whole epochs only; Append can drop rows past the epoch a checkpoint was resumed from.
using System.Globalization;
using System.Text;

namespace Dcgan.Samples.Output;

using Dcgan.Serialization;

/// <summary>Writes and reads <c>losses.csv</c>.</summary>
public sealed class LossCsv : IDisposable
{
    /// <summary>The header line, without a line break.</summary>
    public const string Header = "epoch,step,loss_d,loss_g,d_x,d_g_z";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private readonly StringBuilder _pending = new();
    private bool _disposed;

    private LossCsv(string path)
    {
        Path = path;
    }

    /// <summary>The file written to.</summary>
    public string Path { get; }

    /// <summary>Rows added since the last <see cref="Flush"/>.</summary>
    public int PendingRows { get; private set; }

    /// <summary>Starts a new file (replacing any old one) that holds just the header.</summary>
    public static LossCsv Create(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllText(path, Header + "\n");
        return new LossCsv(path);
    }

    /// <summary>
    /// Continues an existing file (or creates it when missing). A trailing line without a line break (a write cut
    /// short) is dropped; with <paramref name="keepThroughEpoch"/> set, rows of later epochs are dropped too, so a run
    /// resumed from the checkpoint of that epoch does not log its next epochs twice.
    /// </summary>
    /// <exception cref="InvalidDataException">The existing file does not start with <see cref="Header"/>.</exception>
    public static LossCsv Append(string path, int? keepThroughEpoch = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            return Create(path);
        }
        string text = File.ReadAllText(path, Utf8NoBom);
        int lastBreak = text.LastIndexOf('\n');
        string complete = lastBreak < 0 ? string.Empty : text[..(lastBreak + 1)];
        string[] lines = complete.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0].TrimEnd('\r') != Header)
        {
            string found = lines.Length == 0 ? "(empty)" : lines[0];
            throw new InvalidDataException($"Cannot append to '{path}': expected the header '{Header}', found '{found}'.");
        }

        var kept = new StringBuilder(complete.Length);
        kept.Append(Header).Append('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (keepThroughEpoch is int last && ParseRow(line, path, i + 1).Epoch > last)
            {
                continue;
            }
            kept.Append(line).Append('\n');
        }
        string rewritten = kept.ToString();
        if (rewritten != text)
        {
            AtomicFile.WriteAllText(path, rewritten);
        }
        return new LossCsv(path);
    }

    /// <summary>Queues one row; it reaches the disk at the next <see cref="Flush"/>.</summary>
    public void Add(LossRecord record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pending.Append(FormatRow(record)).Append('\n');
        PendingRows++;
    }

    /// <summary>Appends the queued rows to the file and flushes them to disk. Call at the end of every epoch.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (PendingRows == 0)
        {
            return;
        }
        using (var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            stream.Write(Utf8NoBom.GetBytes(_pending.ToString()));
            stream.Flush(flushToDisk: true);
        }
        _pending.Clear();
        PendingRows = 0;
    }

    /// <summary>Flushes the queued rows and closes.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        Flush();
        _disposed = true;
    }

    /// <summary>Formats one row (no line break): invariant culture, shortest round-trippable floats.</summary>
    public static string FormatRow(LossRecord r)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return string.Join(',',
            r.Epoch.ToString(c), r.Step.ToString(c),
            r.LossD.ToString("R", c), r.LossG.ToString("R", c), r.DX.ToString("R", c), r.DGz.ToString("R", c));
    }

    /// <summary>Reads every row of a losses.csv written by this class.</summary>
    /// <exception cref="InvalidDataException">Wrong header or a malformed row (the message names file and line).</exception>
    public static List<LossRecord> Read(string path)
    {
        string[] lines = File.ReadAllLines(path, Utf8NoBom);
        if (lines.Length == 0 || lines[0] != Header)
        {
            string found = lines.Length == 0 ? "(empty)" : lines[0];
            throw new InvalidDataException($"'{path}' is not a losses file: expected the header '{Header}', found '{found}'.");
        }
        var records = new List<LossRecord>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length > 0)
            {
                records.Add(ParseRow(lines[i], path, i + 1));
            }
        }
        return records;
    }

    private static LossRecord ParseRow(string line, string path, int lineNumber)
    {
        string[] f = line.Split(',');
        CultureInfo c = CultureInfo.InvariantCulture;
        if (f.Length == 6
            && int.TryParse(f[0], NumberStyles.Integer, c, out int epoch)
            && long.TryParse(f[1], NumberStyles.Integer, c, out long step)
            && float.TryParse(f[2], NumberStyles.Float, c, out float lossD)
            && float.TryParse(f[3], NumberStyles.Float, c, out float lossG)
            && float.TryParse(f[4], NumberStyles.Float, c, out float dX)
            && float.TryParse(f[5], NumberStyles.Float, c, out float dGz))
        {
            return new LossRecord(epoch, step, lossD, lossG, dX, dGz);
        }
        throw new InvalidDataException(
            $"{path}:{lineNumber}: expected 6 comma-separated values (int, int, 4 floats) for '{Header}', found '{line}'.");
    }
}
