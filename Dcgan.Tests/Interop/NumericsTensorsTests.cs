// Copies between our tensors and System.Numerics.Tensors' Tensor<float>/TensorSpan<float> on the CPU backend and
// on ILGPU's CPU accelerator: values, views with an offset, strided spans both ways, and the shape-mismatch
// messages. The file imports both namespaces and uses the alias the README documents, so it also proves that
// form compiles.
namespace Dcgan.Tests.Interop;

using System.Buffers;
using System.Numerics.Tensors;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Tensors;
using Dcgan.Tests.Gpu;
using Tensor = Dcgan.Tensors.Tensor;

[Collection(IlgpuCollection.Name)]
public sealed class NumericsTensorsTests(IlgpuFixture fixture) : IDisposable
{
    private readonly CpuBackend _cpu = new(threads: 2);

    public static TheoryData<string> Backends => new() { "cpu", "ilgpu-cpu" };

    public void Dispose() => _cpu.Dispose();

    [Theory]
    [MemberData(nameof(Backends))]
    public void Values_round_trip_through_Tensor_of_float(string backendName)
    {
        IBackend backend = Backend(backendName);
        float[] data = Random(2 * 3 * 4 * 5, seed: 1);
        Tensor<float> source = System.Numerics.Tensors.Tensor.Create(data, [2, 3, 4, 5]);

        using Tensor ours = backend.Allocate(new TensorShape(2, 3, 4, 5));
        ours.CopyFrom(source);
        Same("CopyFrom(Tensor<float>)", data, ours.ToArray());

        Tensor<float> back = ours.ToTensor();
        Assert.Equal([2, 3, 4, 5], back.Lengths.ToArray());
        Assert.True(back.IsDense, "ToTensor() should return a dense tensor");
        Same("ToTensor()", data, Flatten(back));

        Tensor<float> destination = System.Numerics.Tensors.Tensor.Create(new float[data.Length], [2, 3, 4, 5]);
        ours.CopyTo(destination);
        Same("CopyTo(Tensor<float>)", data, Flatten(destination));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_view_copies_only_its_own_elements(string backendName)
    {
        IBackend backend = Backend(backendName);
        using Tensor big = backend.Allocate(new TensorShape(40));
        backend.Fill(big, -1f);
        Tensor view = big.Slice(7, new TensorShape(3, 4));
        float[] data = Random(12, seed: 2);

        view.CopyFrom(new ReadOnlyTensorSpan<float>(data, [3, 4]));

        float[] all = big.ToArray();
        var expected = Enumerable.Repeat(-1f, 40).ToArray();
        data.CopyTo(expected, 7);
        Same("big tensor after CopyFrom into the view at 7", expected, all);
        var read = new float[12];
        view.CopyTo(new TensorSpan<float>(read, [3, 4]));
        Same("CopyTo from the view", data, read);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Strided_sources_are_read_in_row_major_order(string backendName)
    {
        IBackend backend = Backend(backendName);
        float[] data = Random(2 * 3 * 6, seed: 3);
        var whole = new ReadOnlyTensorSpan<float>(data, [2, 3, 6]);

        // Columns 1..4 of the last dimension: not contiguous.
        ReadOnlyTensorSpan<float> slice = whole.Slice([new NRange(0, 2), new NRange(0, 3), new NRange(1, 5)]);
        Assert.False(slice.IsDense, "the test needs a non-dense slice");
        using Tensor ours = backend.Allocate(new TensorShape(2, 3, 4));
        ours.CopyFrom(slice);
        var expected = new float[2 * 3 * 4];
        for (int n = 0; n < 2; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int w = 0; w < 4; w++)
                {
                    expected[(((n * 3) + c) * 4) + w] = data[(((n * 3) + c) * 6) + w + 1];
                }
            }
        }

        Same("CopyFrom(slice)", expected, ours.ToArray());

        // The transpose of a [4, 6] matrix through strides [1, 6], and a broadcast row through stride 0.
        using Tensor transposed = backend.Allocate(new TensorShape(6, 4));
        transposed.CopyFrom(new ReadOnlyTensorSpan<float>(data, [6, 4], [1, 6]));
        float[] t = transposed.ToArray();
        var expectedT = new float[24];
        for (int i = 0; i < 6; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                expectedT[(i * 4) + j] = data[(j * 6) + i];
            }
        }

        Same("CopyFrom(transpose)", expectedT, t);

        using Tensor broadcast = backend.Allocate(new TensorShape(3, 5));
        broadcast.CopyFrom(new ReadOnlyTensorSpan<float>(data, [3, 5], [0, 1]));
        Same("CopyFrom(broadcast row)", [.. data[..5], .. data[..5], .. data[..5]], broadcast.ToArray());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void A_strided_destination_receives_values_through_its_strides(string backendName)
    {
        IBackend backend = Backend(backendName);
        float[] data = Random(3 * 4, seed: 4);
        using Tensor ours = backend.Allocate(new TensorShape(3, 4));
        ours.CopyFrom(data);

        // Rows 1..3 and columns 2..5 of a [5, 7] tensor filled with a sentinel.
        Tensor<float> target = System.Numerics.Tensors.Tensor.Create(Enumerable.Repeat(9f, 35).ToArray(), [5, 7]);
        TensorSpan<float> window = target.AsTensorSpan([new NRange(1, 4), new NRange(2, 6)]);
        Assert.False(window.IsDense, "the test needs a non-dense window");
        ours.CopyTo(window);

        float[] flat = Flatten(target);
        var expected = Enumerable.Repeat(9f, 35).ToArray();
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                expected[((r + 1) * 7) + c + 2] = data[(r * 4) + c];
            }
        }

        Same("[5, 7] target after CopyTo(window)", expected, flat);
    }

    [Fact]
    public void A_destination_that_writes_two_elements_to_one_place_is_rejected()
    {
        using Tensor ours = _cpu.Allocate(new TensorShape(3, 4));
        var backing = new float[4];
        var e = Assert.Throws<ArgumentException>(() => ours.CopyTo(new TensorSpan<float>(backing, [3, 4], [0, 1])));
        TestContext.Current.TestOutputHelper?.WriteLine(e.Message);
        Assert.Equal("destination", e.ParamName);
        Assert.Contains("stride of 0 on dimension 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lengths_that_differ_from_the_shape_are_named_with_it()
    {
        using Tensor ours = _cpu.Allocate(new TensorShape(2, 3, 4, 5));
        _cpu.Fill(ours, -1f);
        var sameCount = new float[2 * 3 * 20];

        // Same element count, other lengths: a flat copy would succeed silently.
        var from = Assert.Throws<ArgumentException>(() => ours.CopyFrom(new ReadOnlyTensorSpan<float>(sameCount, [2, 3, 20])));
        TestContext.Current.TestOutputHelper?.WriteLine(from.Message);
        Assert.Equal("source", from.ParamName);
        Assert.Contains("lengths [2, 3, 20]", from.Message, StringComparison.Ordinal);
        Assert.Contains("Tensor[2, 3, 4, 5] on cpu", from.Message, StringComparison.Ordinal);

        var to = Assert.Throws<ArgumentException>(() => ours.CopyTo(new TensorSpan<float>(new float[2 * 3 * 4 * 6], [2, 3, 4, 6])));
        TestContext.Current.TestOutputHelper?.WriteLine(to.Message);
        Assert.Equal("destination", to.ParamName);
        Assert.Contains("lengths [2, 3, 4, 6]", to.Message, StringComparison.Ordinal);
        Assert.Contains("Tensor[2, 3, 4, 5] on cpu", to.Message, StringComparison.Ordinal);

        var rank = Assert.Throws<ArgumentException>(() => ours.CopyFrom(new ReadOnlyTensorSpan<float>(new float[120], [120])));
        Assert.Contains("lengths [120]", rank.Message, StringComparison.Ordinal);
        Assert.All(ours.ToArray(), v => Assert.Equal(-1f, v)); // the failed copies wrote nothing
    }

    [Fact]
    public void A_scalar_travels_as_lengths_one()
    {
        using Tensor scalar = _cpu.Allocate(new TensorShape([]));
        scalar.CopyFrom(new ReadOnlyTensorSpan<float>([2.5f], [1]));
        Assert.Equal(2.5f, scalar.Item());
        Tensor<float> t = scalar.ToTensor();
        Assert.Equal([(nint)1], t.Lengths.ToArray());
        Assert.Equal(2.5f, t[[(nint)0]]);
        var e = Assert.Throws<ArgumentException>(() => scalar.CopyFrom(new ReadOnlyTensorSpan<float>(new float[2], [2])));
        Assert.Contains("(lengths [1] for shape [])", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_tensors_copy_nothing_but_still_check_disposal()
    {
        Tensor empty = _cpu.Allocate(new TensorShape(0, 3));
        Tensor<float> none = System.Numerics.Tensors.Tensor.Create(Array.Empty<float>(), [0, 3]);
        empty.CopyFrom(none);
        empty.CopyTo(none);
        Assert.Equal([(nint)0, 3], empty.ToTensor().Lengths.ToArray());
        Assert.Throws<ArgumentException>(() => empty.CopyFrom(System.Numerics.Tensors.Tensor.Create(Array.Empty<float>(), [3, 0])));
        empty.Dispose();
        Assert.Throws<ObjectDisposedException>(() => empty.CopyFrom(none));
        Assert.Throws<ObjectDisposedException>(() => empty.CopyTo(none));
    }

    private IBackend Backend(string name) => name switch
    {
        "cpu" => _cpu,
        "ilgpu-cpu" => fixture.CpuAccelerator,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown backend"),
    };

    private static float[] Random(int count, ulong seed)
    {
        var data = new float[count];
        new RandomSource(seed).FillNormal(data);
        return data;
    }

    private static float[] Flatten(Tensor<float> t)
    {
        var flat = new float[t.FlattenedLength];
        t.FlattenTo(flat);
        return flat;
    }

    private static void Same(string what, float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs((double)expected[i] - actual[i]));
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {expected.Length} values, worst |difference| {worst:G3}");
        Assert.Equal(expected, actual);
    }
}
