// Collects the nodes and initializers of one ONNX graph and encodes the ModelProto around them.
namespace Dcgan.Onnx;

using System.Buffers.Binary;
using S = OnnxSchema;

/// <summary>Builds an ONNX graph node by node, then the model bytes.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly List<ProtoMessage> _nodes = [];
    private readonly List<ProtoMessage> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Adds a float32 initializer (a constant tensor) named <paramref name="name"/>; returns the name.</summary>
    /// <exception cref="ArgumentException">The name is already used.</exception>
    public string Initializer(string name, ReadOnlySpan<float> values, params int[] dims)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            // raw_data is little-endian by definition, whatever the machine's byte order.
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }

        return AddInitializer(name, S.Tensor.DataTypeFloat, raw, dims);
    }

    /// <summary>Adds an int64 initializer (for example a Reshape target shape); returns the name.</summary>
    /// <exception cref="ArgumentException">The name is already used.</exception>
    public string Initializer(string name, ReadOnlySpan<long> values, params int[] dims)
    {
        var raw = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }

        return AddInitializer(name, S.Tensor.DataTypeInt64, raw, dims);
    }

    /// <summary>Adds a node of the default (ai.onnx) domain.</summary>
    /// <param name="opType">The operator, e.g. <c>Conv</c>.</param>
    /// <param name="name">The node's name (the module's path, e.g. <c>main.0</c>).</param>
    /// <param name="inputs">Value names consumed, in the operator's order.</param>
    /// <param name="output">The value name produced.</param>
    /// <param name="attributes">The node's attributes.</param>
    /// <returns><paramref name="output"/>.</returns>
    public string Node(string opType, string name, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
    {
        var node = new ProtoMessage();
        foreach (string input in inputs)
        {
            node.String(S.Node.Input, input);
        }

        node.String(S.Node.Output, output).String(S.Node.Name, name).String(S.Node.OpType, opType);
        foreach (OnnxAttribute a in attributes)
        {
            node.Message(S.Node.Attribute, a.Encode());
        }

        _nodes.Add(node);
        return output;
    }

    /// <summary>Encodes the ModelProto with this graph.</summary>
    /// <param name="graphName">GraphProto.name.</param>
    /// <param name="input">The graph input: name and dims (null for the symbolic batch dimension).</param>
    /// <param name="output">The graph output: name and dims.</param>
    /// <param name="batchDimension">The dim_param of the symbolic dimensions.</param>
    /// <param name="opset">The ai.onnx opset version imported.</param>
    /// <param name="irVersion">ModelProto.ir_version.</param>
    /// <param name="producerVersion">ModelProto.producer_version.</param>
    /// <param name="docString">ModelProto.doc_string.</param>
    public byte[] ToModel(string graphName, (string Name, int?[] Dims) input, (string Name, int?[] Dims) output, string batchDimension, int opset, long irVersion, string producerVersion, string docString)
    {
        var graph = new ProtoMessage();
        foreach (ProtoMessage node in _nodes)
        {
            graph.Message(S.Graph.Node, node);
        }

        graph.String(S.Graph.Name, graphName);
        foreach (ProtoMessage init in _initializers)
        {
            graph.Message(S.Graph.Initializer, init);
        }

        graph.Message(S.Graph.Input, ValueInfo(input.Name, input.Dims, batchDimension));
        graph.Message(S.Graph.Output, ValueInfo(output.Name, output.Dims, batchDimension));

        var opsetImport = new ProtoMessage().String(S.OperatorSetId.Domain, string.Empty).Int64(S.OperatorSetId.Version, opset);
        return new ProtoMessage()
            .Int64(S.Model.IrVersion, irVersion)
            .String(S.Model.ProducerName, "Dcgan")
            .String(S.Model.ProducerVersion, producerVersion)
            .String(S.Model.DocString, docString)
            .Message(S.Model.Graph, graph)
            .Message(S.Model.OpsetImport, opsetImport)
            .ToArray();
    }

    private static ProtoMessage ValueInfo(string name, int?[] dims, string batchDimension)
    {
        var shape = new ProtoMessage();
        foreach (int? d in dims)
        {
            var dim = new ProtoMessage();
            if (d is { } value)
            {
                dim.Int64(S.Shape.DimValue, value);
            }
            else
            {
                dim.String(S.Shape.DimParam, batchDimension);
            }

            shape.Message(S.Shape.Dim, dim);
        }

        var tensorType = new ProtoMessage().Int64(S.Type.TensorElemType, S.Tensor.DataTypeFloat).Message(S.Type.TensorShape, shape);
        var type = new ProtoMessage().Message(S.Type.TensorType, tensorType);
        return new ProtoMessage().String(S.ValueInfo.Name, name).Message(S.ValueInfo.Type, type);
    }

    private string AddInitializer(string name, int dataType, byte[] raw, int[] dims)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"ONNX initializer name '{name}' is used twice.", nameof(name));
        }

        _initializers.Add(new ProtoMessage()
            .Int64s(S.Tensor.Dims, dims.Select(d => (long)d))
            .Int64(S.Tensor.DataType, dataType)
            .String(S.Tensor.Name, name)
            .Bytes(S.Tensor.RawData, raw));
        return name;
    }
}

/// <summary>One node attribute: a float, an int or a list of ints (the only kinds the exported operators use).</summary>
internal readonly record struct OnnxAttribute(string Name, int Type, float F, long I, long[]? Values)
{
    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, S.Attribute.TypeFloat, value, 0, null);

    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, S.Attribute.TypeInt, 0f, value, null);

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, S.Attribute.TypeInts, 0f, 0, values);

    /// <summary>The AttributeProto.</summary>
    public ProtoMessage Encode()
    {
        var a = new ProtoMessage().String(S.Attribute.Name, Name).Int64(S.Attribute.Type, Type);
        return Type switch
        {
            S.Attribute.TypeFloat => a.Float(S.Attribute.F, F),
            S.Attribute.TypeInt => a.Int64(S.Attribute.I, I),
            _ => a.Int64s(S.Attribute.Ints, Values!),
        };
    }
}
