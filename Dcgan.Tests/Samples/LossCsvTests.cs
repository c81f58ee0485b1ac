// LossCsv: header, invariant round-trippable floats, flush per epoch, append/resume behaviour.
namespace Dcgan.Tests.Samples;

using Dcgan.Tests.Support;

using System.Globalization;
using Dcgan.Samples.Output;

public class LossCsvTests
{
    private static readonly LossRecord[] Tricky =
    [
        new(1, 0, 0.1f, 1f / 3f, 0.999999f, 1e-8f),
        new(1, 1, float.MaxValue, float.Epsilon, -0f, 12345.678f),
        new(2, 2, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0.5f),
        new(2, 3_000_000_000L, 1.23456789f, 2e30f, 7f, 0f),
    ];

    private static void AssertSameBits(LossRecord expected, LossRecord actual)
    {
        Assert.Equal(expected.Epoch, actual.Epoch);
        Assert.Equal(expected.Step, actual.Step);
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.LossD), BitConverter.SingleToInt32Bits(actual.LossD));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.LossG), BitConverter.SingleToInt32Bits(actual.LossG));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.DX), BitConverter.SingleToInt32Bits(actual.DX));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected.DGz), BitConverter.SingleToInt32Bits(actual.DGz));
    }

    [Fact]
    public void RowsRoundTripBitForBitWhateverTheCurrentCulture()
    {
        using var temp = new TempFolder();
        string path = temp.File("losses.csv");
        CultureInfo saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NumberGroupSeparator = ".";
        try
        {
            CultureInfo.CurrentCulture = comma;
            using var csv = LossCsv.Create(path);
            foreach (LossRecord r in Tricky)
            {
                csv.Add(r);
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        string[] lines = File.ReadAllLines(path);
        Assert.Equal("epoch,step,loss_d,loss_g,d_x,d_g_z", lines[0]);
        Assert.Equal("1,0,0.1,0.33333334,0.999999,1E-08", lines[1]);
        Assert.Equal(Tricky.Length + 1, lines.Length);
        List<LossRecord> back = LossCsv.Read(path);
        Assert.Equal(Tricky.Length, back.Count);
        for (int i = 0; i < Tricky.Length; i++)
        {
            AssertSameBits(Tricky[i], back[i]);
        }
    }

    [Fact]
    public void RowsReachTheFileOnlyAtFlush()
    {
        using var temp = new TempFolder();
        string path = temp.File("losses.csv");
        using var csv = LossCsv.Create(path);
        csv.Add(Tricky[0]);
        csv.Add(Tricky[1]);
        Assert.Equal(2, csv.PendingRows);
        Assert.Single(File.ReadAllLines(path));
        csv.Flush();
        Assert.Equal(0, csv.PendingRows);
        Assert.Equal(3, File.ReadAllLines(path).Length);
        csv.Add(Tricky[2]);
        csv.Flush();
        Assert.Equal(3, LossCsv.Read(path).Count);
    }

    [Fact]
    public void AppendDropsACutLineAndRowsPastTheResumedEpoch()
    {
        using var temp = new TempFolder();
        string path = temp.File("losses.csv");
        File.WriteAllText(path, "epoch,step,loss_d,loss_g,d_x,d_g_z\n1,0,1,2,0.5,0.5\n2,1,1,2,0.5,0.5\n3,2,1,2,0.5,0.5\n3,3,1,2,0.");
        using (var csv = LossCsv.Append(path, keepThroughEpoch: 2))
        {
            csv.Add(new LossRecord(3, 2, 9f, 8f, 0.7f, 0.2f));
        }
        List<LossRecord> rows = LossCsv.Read(path);
        Assert.Equal([0L, 1L, 2L], rows.Select(r => r.Step));
        Assert.Equal(9f, rows[2].LossD);

        using (var csv = LossCsv.Append(path))
        {
            csv.Add(new LossRecord(3, 3, 1f, 1f, 1f, 1f));
        }
        Assert.Equal(4, LossCsv.Read(path).Count);
    }

    [Fact]
    public void AppendToAForeignFileFails()
    {
        using var temp = new TempFolder();
        string path = temp.File("losses.csv");
        File.WriteAllText(path, "a,b,c\n1,2,3\n");
        var ex = Assert.Throws<InvalidDataException>(() => LossCsv.Append(path));
        Assert.Contains("a,b,c", ex.Message);
        Assert.Equal("a,b,c\n1,2,3\n", File.ReadAllText(path));
    }

    [Fact]
    public void MalformedRowNamesFileAndLine()
    {
        using var temp = new TempFolder();
        string path = temp.File("losses.csv");
        File.WriteAllText(path, "epoch,step,loss_d,loss_g,d_x,d_g_z\n1,0,1,2,0.5,0.5\n1,1,oops,2,0.5,0.5\n");
        var ex = Assert.Throws<InvalidDataException>(() => LossCsv.Read(path));
        Assert.Contains(":3:", ex.Message);
        Assert.Contains("oops", ex.Message);
    }
}
