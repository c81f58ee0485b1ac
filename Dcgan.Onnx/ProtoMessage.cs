// One protobuf message being written with Google.Protobuf's CodedOutputStream. ONNX's messages are written
// field by field with the numbers of onnx/onnx.proto (no generated code): nested messages are built first and
// embedded as length-delimited bytes, which is how protobuf encodes them.
namespace Dcgan.Onnx;

using Google.Protobuf;

/// <summary>
/// Builds the bytes of one protobuf message. Every field is written in proto2's encoding: repeated scalars
/// unpacked (one tag per element, as onnx.proto declares them without <c>[packed = true]</c>).
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream _bytes = new();
    private readonly CodedOutputStream _out;

    /// <summary>Creates an empty message.</summary>
    public ProtoMessage() => _out = new CodedOutputStream(_bytes, leaveOpen: true);

    /// <summary>A varint field (int32, int64 or enum).</summary>
    public ProtoMessage Int64(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    /// <summary>A repeated varint field, one tag per element.</summary>
    public ProtoMessage Int64s(int field, IEnumerable<long> values)
    {
        foreach (long v in values)
        {
            Int64(field, v);
        }

        return this;
    }

    /// <summary>A float field (fixed32).</summary>
    public ProtoMessage Float(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    /// <summary>A UTF-8 string field.</summary>
    public ProtoMessage String(int field, string value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteString(value);
        return this;
    }

    /// <summary>A bytes field (length-delimited).</summary>
    public ProtoMessage Bytes(int field, ReadOnlyMemory<byte> value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }

    /// <summary>An embedded message field.</summary>
    public ProtoMessage Message(int field, ProtoMessage message) => Bytes(field, message.ToArray());

    /// <summary>The encoded message.</summary>
    public byte[] ToArray()
    {
        _out.Flush();
        return _bytes.ToArray();
    }
}
