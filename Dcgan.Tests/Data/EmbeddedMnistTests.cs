// The MNIST sample compiled into the dcgan tool: 10,000 real digits in round-robin class order.
namespace Dcgan.Tests.Data;

using Dcgan.Data;
using Dcgan.Samples.Data;

public class EmbeddedMnistTests
{
    [Fact]
    public void Sample_loads_with_all_classes_in_round_robin_order()
    {
        MnistDataset data = EmbeddedMnist.Load();

        Assert.Equal(10_000, data.Count);
        Assert.Equal(10_000 * 784, data.RawImages.Length);
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(i % 10, data.Labels[i]);
        }

        int[] perClass = new int[10];
        foreach (byte label in data.Labels)
        {
            Assert.InRange(label, 0, 9);
            perClass[label]++;
        }

        // The class counts of data/mnist-sample/README.md (the first 10,000 MNIST training labels).
        Assert.Equal([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978], perClass);

        float[] images = data.Images;
        Assert.Equal(10_000 * 784, images.Length);
        Assert.Equal(-1f, images.Min());
        Assert.Equal(1f, images.Max());

        // A digit has ink: every image has some pixels above 0.5 and most of its border is background.
        for (int i = 0; i < 10; i++)
        {
            ReadOnlySpan<byte> image = data.RawImages.AsSpan(i * 784, 784);
            int ink = 0;
            foreach (byte p in image)
            {
                ink += p > 191 ? 1 : 0;
            }

            Assert.InRange(ink, 10, 400);
            Assert.Equal(0, image[0]);
        }
    }
}
