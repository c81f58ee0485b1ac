// What the trainer tells the user while it trains: one call per epoch start/end and per step.
// Implementations: LiveReporter (Spectre.Console progress bar on a terminal) and PlainReporter (plain
// lines for logs, pipes and CI). The namespace is Dcgan.Samples.Terminal, not ...Console, so that
// `Console.WriteLine` keeps meaning System.Console everywhere under Dcgan.Samples.
namespace Dcgan.Samples.Terminal;

/// <summary>Receives training progress; the trainer calls it from its own (single) thread.</summary>
public interface ITrainingReporter : IDisposable
{
    /// <summary>An epoch begins.</summary>
    /// <param name="epoch">Epoch number as the trainer counts it (shown as is).</param>
    /// <param name="totalSteps">Number of steps (batches) in this epoch, >= 1.</param>
    void StartEpoch(int epoch, int totalSteps);

    /// <summary>One step (batch) finished.</summary>
    /// <param name="stepIndex">0-based index of the step within the epoch.</param>
    /// <param name="imagesPerSecond">Training throughput, real images per second.</param>
    /// <param name="lossD">Discriminator loss of this step.</param>
    /// <param name="lossG">Generator loss of this step.</param>
    /// <param name="dX">Mean D(x) on the real batch.</param>
    /// <param name="dGz1">Mean D(G(z)) on the fake batch before D's update (pytorch/examples' D_G_z1).</param>
    /// <param name="dGz2">Mean D(G(z)) in G's update, after D's (D_G_z2; equal to <paramref name="dGz1"/> in the simultaneous step).</param>
    void Step(int stepIndex, double imagesPerSecond, double lossD, double lossG, double dX, double dGz1, double dGz2);

    /// <summary>The epoch ended after <paramref name="seconds"/> of wall-clock time.</summary>
    void EndEpoch(double seconds);

    /// <summary>A line of information (file written, checkpoint saved...), shown without disturbing the progress display.</summary>
    void Message(string text);
}

/// <summary>Settings shared by the reporters.</summary>
public sealed record ReporterOptions
{
    /// <summary>Total number of epochs of the run, shown as "epoch 3/25"; null shows just the epoch number.</summary>
    public int? TotalEpochs { get; init; }

    /// <summary>Plain mode prints a step line at the first step, every this many steps and at the last step. Default 50 (as pytorch/examples dcgan).</summary>
    public int PlainEvery { get; init; } = 50;
}
