// Running means of the step values within one epoch, shared by both reporters (plain prints them at
// the end of the epoch, live shows them on the bar). Plain arithmetic means; NaN propagates, as it should.
namespace Dcgan.Samples.Terminal;

internal sealed class EpochStats
{
    public int Epoch { get; private set; }

    public int TotalSteps { get; private set; }

    public int StepsDone { get; private set; }

    /// <summary>Steps run in this epoch by this process (fewer than <see cref="StepsDone"/> after a mid-epoch resume).</summary>
    public int StepsRun => _count;

    public double ImagesPerSecond { get; private set; }

    public double MeanLossD => _count == 0 ? double.NaN : _sumLossD / _count;

    public double MeanLossG => _count == 0 ? double.NaN : _sumLossG / _count;

    public double MeanDX => _count == 0 ? double.NaN : _sumDX / _count;

    public double MeanDGz1 => _count == 0 ? double.NaN : _sumDGz1 / _count;

    public double MeanDGz2 => _count == 0 ? double.NaN : _sumDGz2 / _count;

    private int _count;
    private double _sumLossD;
    private double _sumLossG;
    private double _sumDX;
    private double _sumDGz1;
    private double _sumDGz2;

    public void Reset(int epoch, int totalSteps)
    {
        Epoch = epoch;
        TotalSteps = totalSteps;
        StepsDone = 0;
        _count = 0;
        ImagesPerSecond = 0;
        _sumLossD = _sumLossG = _sumDX = _sumDGz1 = _sumDGz2 = 0;
    }

    public void Add(int stepIndex, double imagesPerSecond, double lossD, double lossG, double dX, double dGz1, double dGz2)
    {
        StepsDone = stepIndex + 1;
        _count++;
        ImagesPerSecond = imagesPerSecond;
        _sumLossD += lossD;
        _sumLossG += lossG;
        _sumDX += dX;
        _sumDGz1 += dGz1;
        _sumDGz2 += dGz2;
    }
}
