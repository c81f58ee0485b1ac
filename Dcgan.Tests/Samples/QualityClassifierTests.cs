// The shipped MNIST classifier and the distance built on it, on the embedded digits: held-out accuracy from the embedded
// weights (a wrong loader or preprocessing breaks it), and the distance's behaviour on corrupted and collapsed sets.
namespace Dcgan.Tests.Samples;

using Dcgan.Backends.Cpu;
using Dcgan.Data;
using Dcgan.Init;
using Dcgan.Samples.Data;
using Dcgan.Samples.Quality;

public sealed class QualityClassifierTests(ITestOutputHelper output)
{
    private const int Pixels = 28 * 28;
    private const int SetSize = 2000;

    private static readonly Lazy<MnistDataset> Digits = new(EmbeddedMnist.Load);

    [Fact]
    public void Shipped_classifier_reaches_98_percent_on_the_held_out_digits()
    {
        using var backend = new CpuBackend(threads: 2);
        using MnistClassifier c = MnistClassifier.LoadEmbedded("mnist", backend) ?? throw new InvalidOperationException("no embedded mnist classifier");
        MnistDataset d = Digits.Value;
        (_, int[] heldOut) = MnistClassifier.Split(d.Count);
        Assert.Equal(2000, heldOut.Length);
        double accuracy = c.Accuracy(MnistClassifier.Gather(d.Images, heldOut), heldOut.Select(i => d.Labels[i]).ToArray(), heldOut.Length);
        output.WriteLine($"held-out accuracy of the shipped classifier: {accuracy:P2} ({c.ParameterCount} parameters)");
        Assert.True(accuracy >= 0.98, $"held-out accuracy {accuracy:P2}; the shipped weights reached at least 98 %.");
        Assert.Null(MnistClassifier.LoadEmbedded("no-such-dataset", backend));
    }

    [Fact]
    public void A_saved_classifier_reads_back_to_the_same_outputs_and_a_wrong_file_is_refused()
    {
        using var backend = new CpuBackend(threads: 2);
        using var dir = new Dcgan.Tests.Support.TempFolder();
        using MnistClassifier shipped = MnistClassifier.LoadEmbedded("mnist", backend)!;
        string path = dir.File("c.safetensors");
        shipped.Save(path, MnistClassifier.Metadata("mnist", "test", 1, 0.5, 1));
        using MnistClassifier loaded = MnistClassifier.LoadFile(path, backend);
        float[] images = Digits.Value.Images[..(50 * Pixels)];
        (double[] f1, double[] p1) = shipped.Run(images, 50);
        (double[] f2, double[] p2) = loaded.Run(images, 50);
        Assert.Equal(f1, f2);
        Assert.Equal(p1, p2);
        Assert.Contains(f1, v => v > 0);

        string wrong = dir.File("wrong.safetensors");
        Dcgan.Serialization.SafeTensors.Write(wrong, [new("C.main.0.weight", Dcgan.Serialization.SafeTensorEntry.FromFloat(new float[4], 2, 2))]);
        var e = Assert.Throws<InvalidDataException>(() => MnistClassifier.LoadFile(wrong, backend));
        Assert.Contains("C.main.0.weight", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Distance_grows_with_noise_and_blur_and_is_largest_for_noise_images_and_one_repeated_digit()
    {
        using var backend = new CpuBackend(threads: 2);
        using MnistClassifier c = MnistClassifier.LoadEmbedded("mnist", backend)!;
        float[] images = Digits.Value.Images;
        float[] reference = images[..(SetSize * Pixels)];
        float[] other = images[(SetSize * Pixels)..(2 * SetSize * Pixels)];
        (double[] referenceFeatures, _) = c.Run(reference, SetSize);

        QualityReport Measure(float[] set) => QualityReport.Measure(c, set, SetSize, referenceFeatures, SetSize);

        var random = new RandomSource(5);
        double[] noisy = new[] { 0, 0.2, 0.5, 1.0 }.Select(sigma => Measure(other.Select(v => Math.Clamp(v + (float)(sigma * random.Normal()), -1f, 1f)).ToArray()).Distance).ToArray();
        double real = noisy[0];
        double blurred = Measure(Blur(other)).Distance;
        double uniform = Measure(Enumerable.Range(0, SetSize * Pixels).Select(_ => (float)random.Uniform(-1, 1)).ToArray()).Distance;
        int[] ones = Enumerable.Range(0, Digits.Value.Count).Where(i => Digits.Value.Labels[i] == 1).ToArray();
        float[] oneDigit = Enumerable.Range(0, SetSize).SelectMany(i => images.AsSpan(ones[i % ones.Length] * Pixels, Pixels).ToArray()).ToArray();
        QualityReport collapsed = Measure(oneDigit);

        output.WriteLine($"real vs real {real:F3}; Gaussian noise 0.2/0.5/1.0: {noisy[1]:F3} / {noisy[2]:F3} / {noisy[3]:F3}; 3x3 blur {blurred:F3}; uniform noise {uniform:F3}; only 1s {collapsed.Distance:F3} (share of 1: {collapsed.ClassShares[1]:P1}, score {collapsed.Score:F3})");
        Assert.True(real < noisy[1] && noisy[1] < noisy[2] && noisy[2] < noisy[3], $"noise must increase the distance: {string.Join(", ", noisy)}");
        Assert.True(blurred > 2 * real, $"a blur gives {blurred}; real vs real {real}");
        Assert.True(uniform > 10 * noisy[1] && uniform > 100 * real, $"uniform noise gives {uniform}; real {real}, light noise {noisy[1]}");
        Assert.True(collapsed.Distance > 20 * real, $"a set of only 1s gives {collapsed.Distance}; real vs real {real}");
        Assert.True(collapsed.ClassShares[1] > 0.97, $"a set of only 1s has a class-1 share of {collapsed.ClassShares[1]:P1}");
        Assert.True(collapsed.Score < 1.3, $"a set of only 1s scores {collapsed.Score}");
        QualityReport realReport = Measure(other);
        output.WriteLine($"real-vs-real baseline of the reference (two halves of 1,000): {realReport.RealBaseline:F3}");
        Assert.True(realReport.RealBaseline < 2, $"two halves of real digits are {realReport.RealBaseline} apart; halves that split the classes (even/odd indices of the interleaved sample) give about 50");
        Assert.True(realReport.Score > 8, $"real digits score {realReport.Score}; a confident 10-class classifier gives them more than 8");
        Assert.True(realReport.Lowest.Share > 0.08 && realReport.Highest.Share < 0.12, $"real digits are balanced; shares {string.Join(", ", realReport.ClassShares)}");
    }

    /// <summary>A 3×3 box blur of 28×28 images, edges clamped.</summary>
    private static float[] Blur(float[] images)
    {
        var result = new float[images.Length];
        for (int n = 0; n < images.Length / Pixels; n++)
        {
            for (int y = 0; y < 28; y++)
            {
                for (int x = 0; x < 28; x++)
                {
                    float sum = 0;
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        for (int dx = -1; dx <= 1; dx++)
                        {
                            sum += images[(n * Pixels) + (Math.Clamp(y + dy, 0, 27) * 28) + Math.Clamp(x + dx, 0, 27)];
                        }
                    }

                    result[(n * Pixels) + (y * 28) + x] = sum / 9;
                }
            }
        }

        return result;
    }
}
