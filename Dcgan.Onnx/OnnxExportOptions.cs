// Names and labels of an exported ONNX model.
namespace Dcgan.Onnx;

/// <summary>Names written into an exported model; the defaults suit one-input, one-output networks.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The graph input's name (default <c>input</c>): the key of the feed in ONNX Runtime.</summary>
    public string InputName { get; init; } = "input";

    /// <summary>The graph output's name (default <c>output</c>).</summary>
    public string OutputName { get; init; } = "output";

    /// <summary>The dim_param of the symbolic batch dimension (default <c>N</c>).</summary>
    public string BatchDimensionName { get; init; } = "N";

    /// <summary>GraphProto.name; null uses the network's <see cref="Models.Network.Name"/> (or <c>network</c>).</summary>
    public string? GraphName { get; init; }

    /// <summary>ModelProto.doc_string; null writes a line naming the network and its layers.</summary>
    public string? DocString { get; init; }
}
