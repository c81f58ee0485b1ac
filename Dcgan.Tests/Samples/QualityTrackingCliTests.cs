// train --eval-every as a user runs it: a quality.csv row per measured epoch with finite numbers that `dcgan eval` repeats,
// nothing written with --eval-every 0, a trainer undisturbed by the measurement, and a resumed run whose rows match an
// uninterrupted one's.
namespace Dcgan.Tests.Samples;

using System.Text.Json;
using Dcgan.Backends.Cpu;
using Dcgan.Samples.Output;
using Dcgan.Samples.Quality;
using Dcgan.Samples.Training;
using Dcgan.Tests.Support;

public sealed class QualityTrackingCliTests(ITestOutputHelper output)
{
    private const string Tiny = "--limit 128 --batch-size 32 --ngf 8 --ndf 8 --seed 3";

    [Fact]
    public void Every_epoch_gets_a_finite_quality_row_that_eval_repeats_and_measuring_changes_nothing_else()
    {
        using var dir = new TempFolder();
        string measured = dir.File("measured"), plain = dir.File("plain");
        var (exit, stdout, stderr) = CommandLineTests.Dcgan($"train {Tiny} --epochs 2 --out \"{measured}\"");
        output.WriteLine(stdout);
        Assert.True(exit == 0, stderr);
        Assert.Contains("quality after epoch 2 (2,000 samples): Fréchet distance", stdout, StringComparison.Ordinal);
        List<QualityRecord> rows = QualityCsv.Read(Path.Combine(measured, QualityCsv.FileName));
        Assert.Equal([1, 2], rows.Select(r => r.Epoch));
        foreach (QualityRecord r in rows)
        {
            Assert.Equal(QualityTracker.SampleCount, r.Samples);
            Assert.True(double.IsFinite(r.Distance) && r.Distance > 0, $"distance {r.Distance}");
            Assert.True(double.IsFinite(r.RealBaseline) && r.RealBaseline > 0, $"real vs real {r.RealBaseline}");
            Assert.InRange(r.Score, 1.0, 10.0);
            Assert.InRange(r.LowestShare, 0.0, r.HighestShare);
            Assert.InRange(r.HighestShare, 0.1 - 1e-9, 1.0 + 1e-9);
            Assert.Null(r.ClassAccuracy);
        }

        byte[] png = File.ReadAllBytes(Path.Combine(measured, QualityPlot.FileName));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        // The measurement draws its own noise and restores BatchNorm's statistics: without it the run is the same bit for bit.
        (exit, _, stderr) = CommandLineTests.Dcgan($"train {Tiny} --epochs 2 --eval-every 0 --out \"{plain}\"");
        Assert.True(exit == 0, stderr);
        Assert.False(File.Exists(Path.Combine(plain, QualityCsv.FileName)), "--eval-every 0 wrote quality.csv");
        Assert.False(File.Exists(Path.Combine(plain, QualityPlot.FileName)), "--eval-every 0 wrote quality.png");
        Assert.Equal(File.ReadAllText(Path.Combine(measured, "losses.csv")), File.ReadAllText(Path.Combine(plain, "losses.csv")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(measured, "epoch_0002.png")), File.ReadAllBytes(Path.Combine(plain, "epoch_0002.png")));
        using (JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(plain, "config.json"))))
        {
            Assert.Equal(0, config.RootElement.GetProperty("eval-every").GetInt32());
        }

        // The noise seed is fixed: eval of the last checkpoint with 2,000 samples and seed 0 sees the same images, so the same
        // score and class shares (its real set is all 10,000 digits, not the run's 128, so the distance differs).
        (exit, stdout, stderr) = CommandLineTests.Dcgan($"eval --checkpoint \"{Path.Combine(measured, "checkpoint.safetensors")}\" --count 2000 --seed 0 --json");
        Assert.True(exit == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        JsonElement e = json.RootElement;
        output.WriteLine($"epoch 2 row: score {rows[1].Score:R}, highest {rows[1].HighestShare:R}; eval: {e.GetProperty("classifier_score").GetDouble():R}, {e.GetProperty("highest_share").GetDouble():R}");
        Assert.Equal(rows[1].Score, e.GetProperty("classifier_score").GetDouble());
        Assert.Equal(rows[1].HighestShare, e.GetProperty("highest_share").GetDouble());
        Assert.Equal(rows[1].LowestShare, e.GetProperty("lowest_share").GetDouble());
    }

    [Fact]
    public void A_resumed_run_drops_rows_past_its_checkpoint_and_matches_an_uninterrupted_run()
    {
        using var dir = new TempFolder();
        string full = dir.File("full"), part = dir.File("part"), sparse = dir.File("sparse");
        var (exit, _, stderr) = CommandLineTests.Dcgan($"train {Tiny} --epochs 3 --out \"{full}\"");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CommandLineTests.Dcgan($"train {Tiny} --epochs 2 --checkpoint-every 1 --out \"{part}\"");
        Assert.True(exit == 0, stderr);
        string partCsv = Path.Combine(part, QualityCsv.FileName);
        Assert.Equal([1, 2], QualityCsv.Read(partCsv).Select(r => r.Epoch));

        // As after a crash past epoch 2's files: resume from epoch 1's snapshot; epoch 2's row is measured again, not twice.
        (exit, string stdout, stderr) = CommandLineTests.Dcgan($"train --resume \"{Path.Combine(part, Trainer.SnapshotFile(1))}\" --epochs 3");
        output.WriteLine(stdout);
        Assert.True(exit == 0, stderr);
        string expected = File.ReadAllText(Path.Combine(full, QualityCsv.FileName));
        string resumed = File.ReadAllText(partCsv);
        output.WriteLine(expected);
        output.WriteLine(resumed);
        Assert.Equal(expected, resumed);

        (exit, _, stderr) = CommandLineTests.Dcgan($"train {Tiny} --epochs 3 --eval-every 2 --out \"{sparse}\"");
        Assert.True(exit == 0, stderr);
        List<QualityRecord> rows = QualityCsv.Read(Path.Combine(sparse, QualityCsv.FileName));
        Assert.Equal(QualityCsv.Read(Path.Combine(full, QualityCsv.FileName))[1], Assert.Single(rows));
    }

    [Fact]
    public void Quality_csv_round_trips_and_keep_through_drops_later_epochs()
    {
        using var dir = new TempFolder();
        string path = dir.File(QualityCsv.FileName);
        var a = new QualityRecord(1, 2000, 123.456789012345, 0.1 + 0.2, 1.0000000000007379, 0, 0.0, 8, 0.9999999999999453, null);
        var b = a with { Epoch = 2, Distance = 1e-17, ClassAccuracy = 0.95 };
        var c = a with { Epoch = 3 };
        QualityCsv.Append(path, a);
        QualityCsv.Append(path, b);
        QualityCsv.Append(path, c);
        Assert.Equal([a, b, c], QualityCsv.Read(path));
        QualityCsv.KeepThrough(path, 2);
        Assert.Equal([a, b], QualityCsv.Read(path));
        QualityCsv.KeepThrough(dir.File("missing.csv"), 1);
        Assert.False(File.Exists(dir.File("missing.csv")));

        File.WriteAllText(path, "epoch,step,loss_d,loss_g,d_x,d_g_z\n1,1,0,0,0,0\n");
        var error = Assert.Throws<InvalidDataException>(() => QualityCsv.Append(path, a));
        Assert.Contains("not a quality file", error.Message, StringComparison.Ordinal);
        File.WriteAllText(path, QualityCsv.Header + "\n1,2000,x,0,1,0,0,8,1,\n");
        error = Assert.Throws<InvalidDataException>(() => QualityCsv.Read(path));
        Assert.Contains(":2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_without_a_shipped_classifier_is_not_measured_and_says_so_once()
    {
        using var backend = new CpuBackend(threads: 1);
        var messages = new List<string>();
        var colour = new TrainingImages(new byte[64 * 3 * 32 * 32], 64, 3, 32, 32, "test") { Dataset = DataDefaults.Cifar10 };
        Assert.Null(QualityTracker.Create(new TrainOptions { Dataset = DataDefaults.Cifar10 }, colour, backend, null, messages.Add));
        Assert.Contains("no classifier is shipped for cifar10", Assert.Single(messages), StringComparison.Ordinal);

        messages.Clear();
        var grey = new TrainingImages(new byte[64 * 28 * 28], 64, 1, 28, 28, "test");
        Assert.Null(QualityTracker.Create(new TrainOptions { EvalEvery = 0 }, grey, backend, null, messages.Add));
        Assert.Empty(messages);
        Assert.Null(QualityTracker.Create(new TrainOptions { Limit = 20 }, grey, backend, null, messages.Add));
        Assert.Contains("20 training images", Assert.Single(messages), StringComparison.Ordinal);
        using QualityTracker? tracker = QualityTracker.Create(new TrainOptions(), grey, backend, null, messages.Add);
        Assert.Equal(1, Assert.IsType<QualityTracker>(tracker).Every);
    }
}
