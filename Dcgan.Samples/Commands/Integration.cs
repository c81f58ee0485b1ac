// Temporary adapters; replaced when the data and output layers land.
namespace Dcgan.Samples.Commands;

using Dcgan.Samples.Training;

public static class DataSources
{
    public static TrainingImages Load(TrainOptions o, Action<string> message) => throw new InvalidDataException("data loading is not wired yet.");
}

public static class Reporters
{
    public static ITrainingReporter ForConsole(int logEvery) => throw new NotSupportedException();
}

public sealed class RunArtifacts : IRunArtifacts
{
    public void WriteGrid(string path, float[] images, int count, int height, int width) => throw new NotSupportedException();

    public void WriteGif(string path, IReadOnlyList<string> framePaths) => throw new NotSupportedException();

    public void WriteLossPlot(string path, IReadOnlyList<LossRow> rows) => throw new NotSupportedException();

    public void AppendLosses(string path, IReadOnlyList<LossRow> rows) => throw new NotSupportedException();
}
