// quality.csv: one row per measured epoch of a training run (see Quality/QualityTracker), invariant culture, doubles in
// their shortest round-trippable form. The file is small, so every change rewrites it atomically: it never holds half a row.
using System.Globalization;
using System.Text;

namespace Dcgan.Samples.Output;

using Dcgan.Serialization;

/// <summary>The sample quality of a run after one epoch, as <c>dcgan eval</c> measures it.</summary>
/// <param name="Epoch">The epoch just finished (1-based).</param>
/// <param name="Samples">Number of generated images measured.</param>
/// <param name="Distance">Fréchet distance between the classifier features of the samples and of the real images.</param>
/// <param name="RealBaseline">The same distance between two halves of the real images, for scale.</param>
/// <param name="Score">Classifier score exp(mean KL(p(y|x) ‖ p(y))), in [1, 10].</param>
/// <param name="LowestClass">The class with the smallest share among the samples.</param>
/// <param name="LowestShare">Its share, in [0, 1].</param>
/// <param name="HighestClass">The class with the largest share.</param>
/// <param name="HighestShare">Its share, in [0, 1].</param>
/// <param name="ClassAccuracy">For a conditional generator: the share of samples the classifier reads as the class they were drawn for; null otherwise.</param>
public sealed record QualityRecord(int Epoch, int Samples, double Distance, double RealBaseline, double Score, int LowestClass, double LowestShare,
    int HighestClass, double HighestShare, double? ClassAccuracy);

/// <summary>Writes and reads <c>quality.csv</c>.</summary>
public static class QualityCsv
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "quality.csv";

    /// <summary>The header line, without a line break.</summary>
    public const string Header = "epoch,samples,frechet_distance,real_vs_real,classifier_score,lowest_class,lowest_share,highest_class,highest_share,class_accuracy";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Adds <paramref name="record"/> at the end of the file (created with its header when missing), atomically.</summary>
    /// <exception cref="InvalidDataException">The existing file is not a quality file (the message names it).</exception>
    public static void Append(string path, QualityRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        List<QualityRecord> rows = File.Exists(path) ? Read(path) : [];
        rows.Add(record);
        Write(path, rows);
    }

    /// <summary>
    /// Drops the rows of epochs after <paramref name="epoch"/> (written after the checkpoint a run resumes from), so that the
    /// resumed run does not record those epochs twice. A missing file is left missing.
    /// </summary>
    /// <exception cref="InvalidDataException">The existing file is not a quality file.</exception>
    public static void KeepThrough(string path, int epoch)
    {
        if (!File.Exists(path))
        {
            return;
        }

        List<QualityRecord> rows = Read(path);
        if (rows.Any(r => r.Epoch > epoch))
        {
            Write(path, rows.Where(r => r.Epoch <= epoch).ToList());
        }
    }

    /// <summary>Reads every row.</summary>
    /// <exception cref="InvalidDataException">Wrong header or a malformed row (the message names file and line).</exception>
    public static List<QualityRecord> Read(string path)
    {
        string[] lines = File.ReadAllLines(path, Utf8NoBom);
        if (lines.Length == 0 || lines[0] != Header)
        {
            string found = lines.Length == 0 ? "(empty)" : lines[0];
            throw new InvalidDataException($"'{path}' is not a quality file: expected the header '{Header}', found '{found}'.");
        }

        var rows = new List<QualityRecord>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length > 0)
            {
                rows.Add(ParseRow(lines[i], path, i + 1));
            }
        }

        return rows;
    }

    /// <summary>Formats one row (no line break); an unconditional run leaves class_accuracy empty.</summary>
    public static string FormatRow(QualityRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        CultureInfo c = CultureInfo.InvariantCulture;
        return string.Join(',',
            r.Epoch.ToString(c), r.Samples.ToString(c), r.Distance.ToString("R", c), r.RealBaseline.ToString("R", c), r.Score.ToString("R", c),
            r.LowestClass.ToString(c), r.LowestShare.ToString("R", c), r.HighestClass.ToString(c), r.HighestShare.ToString("R", c),
            r.ClassAccuracy?.ToString("R", c) ?? string.Empty);
    }

    private static void Write(string path, List<QualityRecord> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (QualityRecord r in rows)
        {
            text.Append(FormatRow(r)).Append('\n');
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static QualityRecord ParseRow(string line, string path, int lineNumber)
    {
        string[] f = line.Split(',');
        CultureInfo c = CultureInfo.InvariantCulture;
        const NumberStyles i = NumberStyles.Integer, d = NumberStyles.Float;
        double? accuracy = null;
        if (f.Length == 10 && f[9].Length > 0 && double.TryParse(f[9], d, c, out double a))
        {
            accuracy = a;
        }

        if (f.Length == 10
            && int.TryParse(f[0], i, c, out int epoch)
            && int.TryParse(f[1], i, c, out int samples)
            && double.TryParse(f[2], d, c, out double distance)
            && double.TryParse(f[3], d, c, out double baseline)
            && double.TryParse(f[4], d, c, out double score)
            && int.TryParse(f[5], i, c, out int lowestClass)
            && double.TryParse(f[6], d, c, out double lowestShare)
            && int.TryParse(f[7], i, c, out int highestClass)
            && double.TryParse(f[8], d, c, out double highestShare)
            && (f[9].Length == 0 || accuracy is not null))
        {
            return new QualityRecord(epoch, samples, distance, baseline, score, lowestClass, lowestShare, highestClass, highestShare, accuracy);
        }

        throw new InvalidDataException($"{path}:{lineNumber}: expected 10 comma-separated values for '{Header}' (the last empty for an unconditional run), found '{line}'.");
    }
}
