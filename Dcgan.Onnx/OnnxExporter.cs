// ONNX export of a network built from Dcgan's modules, in evaluation mode: each layer becomes one ONNX node
// whose attributes carry the layer's hyper-parameters and whose initializers are named by the layer's
// state_dict keys (main.0.weight, main.1.running_mean), so the graph reads like the PyTorch module.
namespace Dcgan.Onnx;

using System.Globalization;
using Dcgan.Models;
using Dcgan.Modules;
using Dcgan.Serialization;
using Dcgan.Tensors;

/// <summary>
/// Writes a <see cref="Sequential"/> or <see cref="Network"/> (containers may nest) of Dcgan modules as an ONNX
/// model (opset <see cref="OpsetVersion"/>, IR version <see cref="IrVersion"/>) with one float32 input whose first
/// dimension is symbolic (any batch size) and one float32 output.
/// <para>
/// The graph is the network in evaluation mode, whatever its current mode: Conv2d → Conv, ConvTranspose2d →
/// ConvTranspose (strides, pads, output_padding), BatchNorm1d/2d → BatchNormalization with the running statistics
/// (kept as its own node, not folded into the convolution before it, so the exported numbers are the checkpoint's
/// and ONNX Runtime does the fusion itself when it optimises the graph), Linear → Gemm (transB = 1),
/// ReLU/LeakyReLU(alpha)/Tanh/Sigmoid → Relu/LeakyRelu/Tanh/Sigmoid, Flatten → Flatten(axis 1),
/// Unflatten → Reshape to <c>[0, sizes...]</c> (0 keeps the batch dimension), Dropout → nothing.
/// </para>
/// <para>
/// Opset 13 is the oldest opset in which every one of these operators has its current float32 semantics
/// (later versions only add bfloat16/float16 types or training attributes), so the model loads in the widest
/// range of runtimes: ONNX Runtime since 1.6, onnxruntime-web, ML.NET's ONNX transformer, TensorRT, OpenVINO.
/// </para>
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ai.onnx opset the exported models import.</summary>
    public const int OpsetVersion = 13;

    /// <summary>The ONNX IR version of the exported models (7: the version that came with opset 13, ONNX 1.8).</summary>
    public const long IrVersion = 7;

    /// <summary>The module types the exporter turns into ONNX nodes (containers and Dropout included).</summary>
    public static IReadOnlyList<Type> SupportedModules { get; } =
    [
        typeof(Network), typeof(Sequential), typeof(Conv2d), typeof(ConvTranspose2d), typeof(BatchNorm1d), typeof(BatchNorm2d),
        typeof(Linear), typeof(ReLU), typeof(LeakyReLU), typeof(Tanh), typeof(Sigmoid), typeof(Flatten), typeof(Unflatten), typeof(Dropout),
    ];

    /// <summary>Encodes <paramref name="network"/> as ONNX model bytes.</summary>
    /// <param name="network">The network, bound to a backend (its parameters are read from there).</param>
    /// <param name="sampleShape">The shape of one input sample, without the batch dimension: <c>[nz, 1, 1]</c> for the DCGAN generator, <c>[1, 28, 28]</c> for an MNIST discriminator.</param>
    /// <param name="options">Names for the input, output and graph; null for the defaults.</param>
    /// <returns>The ModelProto bytes (a <c>.onnx</c> file's content).</returns>
    /// <exception cref="NotSupportedException">A module has no ONNX counterpart here; the message names its path and type.</exception>
    /// <exception cref="ArgumentException"><paramref name="sampleShape"/> does not fit the network; the message names the layer.</exception>
    /// <exception cref="InvalidOperationException">The network is not bound to a backend.</exception>
    public static byte[] Export(Module network, ReadOnlySpan<int> sampleShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new OnnxExportOptions();
        CheckName(options.InputName, nameof(options.InputName));
        CheckName(options.OutputName, nameof(options.OutputName));
        CheckName(options.BatchDimensionName, nameof(options.BatchDimensionName));
        if (options.InputName == options.OutputName)
        {
            throw new ArgumentException($"InputName and OutputName are both '{options.InputName}'; they must differ.", nameof(options));
        }

        TensorShape inputShape = WithBatch(sampleShape);
        var layers = Leaves(network, string.Empty).ToList();
        var graph = new OnnxGraphBuilder();
        TensorShape shape = inputShape;
        string value = options.InputName;
        for (int i = 0; i < layers.Count; i++)
        {
            (string path, Module module) = layers[i];
            bool last = i == layers.Count - 1;
            (value, shape) = AddLayer(graph, path, module, value, shape, last ? options.OutputName : $"{path}.output");
        }

        if (value != options.OutputName)
        {
            // No node (an empty network, or one that ends in Dropout): the output is a copy of the last value.
            value = graph.Node("Identity", "output.identity", [value], options.OutputName);
        }

        string name = options.GraphName ?? (network as Network)?.Name ?? "network";
        string doc = options.DocString ?? $"{name}: {string.Join(" → ", layers.Where(l => l.Module is not Dropout).Select(l => l.Module.GetType().Name))} (evaluation mode), exported by Dcgan.Onnx.";
        string version = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(OnnxExporter).Assembly)?.InformationalVersion.Split('+')[0] ?? "0";
        return graph.ToModel(name, (options.InputName, Symbolic(inputShape)), (options.OutputName, Symbolic(shape)), options.BatchDimensionName, OpsetVersion, IrVersion, version, doc);
    }

    /// <summary>Writes <paramref name="network"/> as an ONNX model to <paramref name="path"/>, atomically (a failed export leaves no file and an existing one untouched).</summary>
    /// <param name="network">The network, bound to a backend.</param>
    /// <param name="sampleShape">The shape of one input sample, without the batch dimension.</param>
    /// <param name="path">The <c>.onnx</c> file to write; an existing file is replaced.</param>
    /// <param name="options">Names for the input, output and graph; null for the defaults.</param>
    /// <exception cref="NotSupportedException">A module has no ONNX counterpart here; the message names its path and type.</exception>
    /// <exception cref="ArgumentException"><paramref name="sampleShape"/> does not fit the network.</exception>
    /// <exception cref="InvalidOperationException">The network is not bound to a backend.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(Module network, ReadOnlySpan<int> sampleShape, string path, OnnxExportOptions? options = null)
    {
        byte[] bytes = Export(network, sampleShape, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The output shape of <paramref name="network"/> for an input of <paramref name="inputShape"/> (with its batch dimension), computed layer by layer without running it.</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX counterpart here.</exception>
    /// <exception cref="ArgumentException">The shape does not fit a layer; the message names it.</exception>
    public static TensorShape OutputShapeFor(Module network, TensorShape inputShape)
    {
        ArgumentNullException.ThrowIfNull(network);
        TensorShape shape = inputShape;
        foreach ((string path, Module module) in Leaves(network, string.Empty))
        {
            shape = ShapeAfter(path, module, shape);
        }

        return shape;
    }

    private static (string Value, TensorShape Shape) AddLayer(OnnxGraphBuilder g, string path, Module module, string input, TensorShape shape, string output)
    {
        TensorShape next = ShapeAfter(path, module, shape);
        string node = path.Length == 0 ? module.GetType().Name : path;
        switch (module)
        {
            case Conv2d c:
                {
                    var inputs = new List<string> { input, g.Initializer(Key(path, "weight"), c.Weight.Data.ToArray(), c.Weight.Shape.ToArray()) };
                    if (c.Bias is { } b)
                    {
                        inputs.Add(g.Initializer(Key(path, "bias"), b.Data.ToArray(), b.Shape.ToArray()));
                    }

                    g.Node("Conv", node, inputs, output, ConvAttributes(c.KernelSize, c.Stride, c.Padding));
                    break;
                }

            case ConvTranspose2d t:
                {
                    // ONNX's ConvTranspose weight is [C_in, C_out, k, k], PyTorch's layout, so it is copied as is.
                    var inputs = new List<string> { input, g.Initializer(Key(path, "weight"), t.Weight.Data.ToArray(), t.Weight.Shape.ToArray()) };
                    if (t.Bias is { } b)
                    {
                        inputs.Add(g.Initializer(Key(path, "bias"), b.Data.ToArray(), b.Shape.ToArray()));
                    }

                    g.Node("ConvTranspose", node, inputs, output, [.. ConvAttributes(t.KernelSize, t.Stride, t.Padding), OnnxAttribute.Ints("output_padding", t.OutputPadding, t.OutputPadding)]);
                    break;
                }

            case BatchNorm bn:
                {
                    int[] dims = [bn.NumFeatures];
                    string[] inputs =
                    [
                        input,
                        g.Initializer(Key(path, "weight"), bn.Weight.Data.ToArray(), dims),
                        g.Initializer(Key(path, "bias"), bn.Bias.Data.ToArray(), dims),
                        g.Initializer(Key(path, "running_mean"), bn.RunningMean.ToArray(), dims),
                        g.Initializer(Key(path, "running_var"), bn.RunningVar.ToArray(), dims),
                    ];

                    // momentum is left out: it only matters in training, and ONNX's is 1 − PyTorch's.
                    g.Node("BatchNormalization", node, inputs, output, OnnxAttribute.Float("epsilon", bn.Eps));
                    break;
                }

            case Linear l:
                {
                    var inputs = new List<string> { input, g.Initializer(Key(path, "weight"), l.Weight.Data.ToArray(), l.Weight.Shape.ToArray()) };
                    if (l.Bias is { } b)
                    {
                        inputs.Add(g.Initializer(Key(path, "bias"), b.Data.ToArray(), b.Shape.ToArray()));
                    }

                    // Gemm computes A·Bᵀ + C with transB = 1: y = x·Wᵀ + b with W stored [out, in] as in PyTorch.
                    g.Node("Gemm", node, inputs, output, OnnxAttribute.Int("transB", 1));
                    break;
                }

            case ReLU:
                g.Node("Relu", node, [input], output);
                break;
            case LeakyReLU lr:
                g.Node("LeakyRelu", node, [input], output, OnnxAttribute.Float("alpha", lr.NegativeSlope));
                break;
            case Tanh:
                g.Node("Tanh", node, [input], output);
                break;
            case Sigmoid:
                g.Node("Sigmoid", node, [input], output);
                break;
            case Flatten:
                g.Node("Flatten", node, [input], output, OnnxAttribute.Int("axis", 1));
                break;
            case Unflatten u:
                {
                    long[] target = [0, .. u.UnflattenedSize.Select(s => (long)s)];
                    string shapeName = g.Initializer(Key(path, "shape"), target, target.Length);
                    g.Node("Reshape", node, [input, shapeName], output);
                    break;
                }

            case Dropout:
                // Identity in evaluation mode: no node, the next layer reads this layer's input.
                return (input, next);
        }

        return (output, next);
    }

    private static OnnxAttribute[] ConvAttributes(int kernel, int stride, int padding) =>
    [
        OnnxAttribute.Ints("kernel_shape", kernel, kernel),
        OnnxAttribute.Ints("strides", stride, stride),
        OnnxAttribute.Ints("pads", padding, padding, padding, padding),
        OnnxAttribute.Ints("dilations", 1, 1),
        OnnxAttribute.Int("group", 1),
    ];

    private static TensorShape ShapeAfter(string path, Module module, TensorShape shape)
    {
        try
        {
            return module switch
            {
                Conv2d c => c.GeometryFor(shape).OutputShape,
                ConvTranspose2d t => t.GeometryFor(shape).InputShape,
                BatchNorm2d bn when shape.Rank == 4 && shape[1] == bn.NumFeatures => shape,
                BatchNorm1d bn when shape.Rank is 2 or 3 && shape[1] == bn.NumFeatures => shape,
                BatchNorm bn => throw new ArgumentException($"{bn} expects {(bn is BatchNorm2d ? "[N, C, H, W]" : "[N, C] or [N, C, L]")} with C = {bn.NumFeatures}; got {shape}."),
                Linear l when shape.Rank == 2 && shape[1] == l.InFeatures => new TensorShape(shape[0], l.OutFeatures),
                Linear l => throw new ArgumentException($"Linear({l.InFeatures}, {l.OutFeatures}) expects input [N, {l.InFeatures}]; got {shape}."),
                Flatten f => f.OutputShapeFor(shape),
                Unflatten u => u.OutputShapeFor(shape),
                ReLU or LeakyReLU or Tanh or Sigmoid or Dropout => shape,
                _ => throw Unsupported(path, module),
            };
        }
        catch (ArgumentException e)
        {
            string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new ArgumentException($"ONNX export: layer {Describe(path, module)} does not fit its input: {reason}", "sampleShape", e);
        }
    }

    /// <summary>The leaf layers in forward order with their dotted paths; containers are walked, not exported.</summary>
    private static IEnumerable<(string Path, Module Module)> Leaves(Module module, string path)
    {
        if (module is Network or Sequential)
        {
            foreach ((string name, Module child) in module.Children())
            {
                foreach (var leaf in Leaves(child, path.Length == 0 ? name : $"{path}.{name}"))
                {
                    yield return leaf;
                }
            }
        }
        else if (SupportedModules.Contains(module.GetType()))
        {
            yield return (path, module);
        }
        else
        {
            throw Unsupported(path, module);
        }
    }

    private static NotSupportedException Unsupported(string path, Module module) =>
        new($"ONNX export does not support layer {(path.Length == 0 ? "(the root)" : $"'{path}'")} of type {module.GetType().FullName}; supported: {string.Join(", ", SupportedModules.Select(t => t.Name))}.");

    private static string Describe(string path, Module module) => path.Length == 0 ? $"'{module}'" : $"'{path}' ({module})";

    private static string Key(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static TensorShape WithBatch(ReadOnlySpan<int> sampleShape)
    {
        foreach (int d in sampleShape)
        {
            if (d < 1)
            {
                throw new ArgumentException($"sampleShape [{string.Join(", ", sampleShape.ToArray())}] has a size < 1; give the shape of one sample without the batch dimension, e.g. [1, 28, 28].", nameof(sampleShape));
            }
        }

        return new TensorShape([1, .. sampleShape]);
    }

    private static int?[] Symbolic(TensorShape shape)
    {
        var dims = new int?[shape.Rank];
        for (int i = 1; i < dims.Length; i++)
        {
            dims[i] = shape[i];
        }

        return dims;
    }

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{what} is empty; ONNX values need a name.", nameof(name));
        }
    }
}
