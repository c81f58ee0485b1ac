// One bad call, three backends: the reference loops, the fast CPU backend and the ILGPU backend (on ILGPU's CPU
// accelerator) reject it with the same exception type, parameter name and message, because Backend checks every call
// once, in Core, before any kernel runs. Each case also names the message it expects, so the table documents the checks.
namespace Dcgan.Tests.Backends;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Gpu;
using Dcgan.Tensors;
using Dcgan.Tests.Gpu;

[Collection(IlgpuCollection.Name)]
public sealed class SharedChecksTests(IlgpuFixture fixture)
{
    private const string ForeignName = "cpu-float64";

    private static readonly ConvGeometry G = ConvGeometry.ForConv2d(2, 3, 5, 5, 4, 3, 1, 1);
    private static readonly TensorShape Image = new(2, 3, 2, 2);
    private static readonly TensorShape Channels = new(3);
    private static readonly TensorShape Six = new(6);
    private static readonly TensorShape Five = new(5);
    private static readonly BatchNormGeometry Bn = BatchNormGeometry.FromShape(Image);
    private static readonly AdamStepParameters Adam = new(1e-3, 0.9, 0.999, 1e-8, 0, 0.1, 0.001);

    /// <summary>Each bad call: the exception it must throw, a fragment of its message, and the call itself.</summary>
    private static readonly Dictionary<string, (Type Exception, string Message, Action<Call> Run)> BadCalls = new()
    {
        ["ConvForward: output of the wrong shape"] = (typeof(ArgumentException), "output has shape [2, 4, 5, 4]; expected [2, 4, 5, 5].",
            c => c.B.ConvForward(G, c.T(G.InputShape), c.T(G.WeightShape), c.T(new TensorShape(2, 4, 5, 4)))),
        ["ConvForward: weight of the wrong shape"] = (typeof(ArgumentException), "weight has shape [4, 3, 3, 2]; expected [4, 3, 3, 3].",
            c => c.B.ConvForward(G, c.T(G.InputShape), c.T(new TensorShape(4, 3, 3, 2)), c.T(G.OutputShape))),
        ["ConvBackwardInput: stride 0"] = (typeof(ArgumentException), "kernel_size and stride must be >= 1 and padding >= 0.",
            c => c.B.ConvBackwardInput(G with { Stride = 0 }, c.T(G.OutputShape), c.T(G.WeightShape), c.T(G.InputShape))),
        ["ConvBackwardWeight: a geometry whose output side does not follow from its input"] = (typeof(ArgumentException), "gives a 5x5 output, not 6x5",
            c => c.B.ConvBackwardWeight(G with { OutHeight = 6 }, c.T(G.InputShape), c.T(new TensorShape(2, 4, 6, 5)), c.T(G.WeightShape))),
        ["ConvBackwardWeight: input of another backend"] = (typeof(ArgumentException), "input (Tensor[2, 3, 5, 5] on <foreign>) does not belong to backend <backend>.",
            c => c.B.ConvBackwardWeight(G, c.Foreign(G.InputShape), c.T(G.OutputShape), c.T(G.WeightShape))),
        ["AddChannelBias: bias of the wrong length"] = (typeof(ArgumentException), "bias has shape [4]; expected [3].",
            c => c.B.AddChannelBias(c.T(Image), c.T(new TensorShape(4)))),
        ["SumPerChannel: gradOutput without a channel axis"] = (typeof(ArgumentException), "gradOutput has shape [6]; expected [N, C], [N, C, L] or [N, C, H, W].",
            c => c.B.SumPerChannel(c.T(Six), c.T(Channels))),
        ["BatchNormForward: one value per channel when training"] = (typeof(ArgumentException), "Expected more than 1 value per channel when training, got input size [1, 3].",
            c => BatchNormForward(c, BatchNormGeometry.FromShape(new TensorShape(1, 3)), new TensorShape(1, 3), Channels, Channels)),
        ["BatchNormForward: input not described by the geometry"] = (typeof(ArgumentException), "input has shape [2, 3, 5], which is [N, C, S] = [2, 3, 5]; the geometry g expects [2, 3, 4].",
            c => BatchNormForward(c, Bn, new TensorShape(2, 3, 5), Channels, Image)),
        ["BatchNormForward: runningVar of the wrong shape"] = (typeof(ArgumentException), "runningVar has shape [1, 3]; expected [3].",
            c => BatchNormForward(c, Bn, Image, new TensorShape(1, 3), Channels)),
        ["BatchNormForward: output of the wrong shape"] = (typeof(ArgumentException), "output has shape [2, 3, 4]; expected [2, 3, 2, 2].",
            c => BatchNormForward(c, Bn, Image, Channels, new TensorShape(2, 3, 4))),
        ["BatchNormBackward: gradInput of the wrong shape"] = (typeof(ArgumentException), "gradInput has shape [2, 3, 4]; expected [2, 3, 2, 2].",
            c => c.B.BatchNormBackward(Bn, true, c.T(Image), c.T(Image), c.T(Channels), c.T(Channels), c.T(Channels), c.T(new TensorShape(2, 3, 4)), null, null)),
        ["BatchNormBackward: gradWeight of the wrong shape"] = (typeof(ArgumentException), "gradWeight has shape [3, 1]; expected [3].",
            c => c.B.BatchNormBackward(Bn, true, c.T(Image), c.T(Image), c.T(Channels), c.T(Channels), c.T(Channels), c.T(Image), c.T(new TensorShape(3, 1)), c.T(Channels))),
        ["ActivationForward: an undefined kind"] = (typeof(ArgumentOutOfRangeException), "Unknown activation.",
            c => c.B.ActivationForward(new Activation((ActivationKind)7), c.T(Six), c.T(Six))),
        ["ActivationBackward: gradInput of the wrong length"] = (typeof(ArgumentException), "gradInput has 5 elements; expected 6.",
            c => c.B.ActivationBackward(new Activation(ActivationKind.Tanh), c.T(Six), c.T(Six), c.T(Six), c.T(Five))),
        ["DropoutForward: p = 1"] = (typeof(ArgumentOutOfRangeException), "Dropout probability must be in [0, 1).",
            c => c.B.DropoutForward(c.T(Six), 1f, 7, c.T(Six), c.T(Six))),
        ["DropoutForward: p = NaN"] = (typeof(ArgumentOutOfRangeException), "Dropout probability must be in [0, 1).",
            c => c.B.DropoutForward(c.T(Six), float.NaN, 7, c.T(Six), c.T(Six))),
        ["DropoutForward: mask of the wrong length"] = (typeof(ArgumentException), "mask has 5 elements; expected 6.",
            c => c.B.DropoutForward(c.T(Six), 0.5f, 7, c.T(Five), c.T(Six))),
        ["Multiply: b of the wrong length"] = (typeof(ArgumentException), "b has 5 elements; expected 6.",
            c => c.B.Multiply(c.T(Six), c.T(Five), c.T(Six))),
        ["BCEWithLogits: a loss of two elements"] = (typeof(ArgumentException), "loss has 2 elements; expected 1.",
            c => c.B.BCEWithLogits(c.T(Six), c.T(Six), c.T(new TensorShape(2)), null)),
        ["BCEWithLogits: no logits"] = (typeof(ArgumentException), "BCEWithLogits needs at least one logit.",
            c => c.B.BCEWithLogits(c.T(new TensorShape(0)), c.T(new TensorShape(0)), c.T(new TensorShape()), null)),
        ["CrossEntropy: logits of rank 1"] = (typeof(ArgumentException), "logits has shape [6]; expected [N, C] with N >= 1 and C >= 1.",
            c => c.B.CrossEntropy(c.T(Six), c.T(Six), c.T(new TensorShape()), null)),
        ["CrossEntropy: a target of the wrong length"] = (typeof(ArgumentException), "target has 5 elements; expected 2.",
            c => c.B.CrossEntropy(c.T(new TensorShape(2, 3)), c.T(Five), c.T(new TensorShape()), null)),
        ["CrossEntropy: gradInput of the wrong length"] = (typeof(ArgumentException), "gradInput has 5 elements; expected 6.",
            c => c.B.CrossEntropy(c.T(new TensorShape(2, 3)), c.T(new TensorShape(2)), c.T(new TensorShape()), c.T(Five))),
        ["AdamStep: expAvgSq of the wrong length"] = (typeof(ArgumentException), "expAvgSq has 5 elements; expected 6.",
            c => c.B.AdamStep(Adam, c.T(Six), c.T(Six), c.T(Six), c.T(Five))),
        ["Upload: a source of the wrong length"] = (typeof(ArgumentException), "source has 3 elements; expected 6.",
            c => c.B.Upload(new float[3], c.T(Six))),
        ["Download: a destination of the wrong length"] = (typeof(ArgumentException), "destination has 7 elements; expected 6.",
            c => c.B.Download(c.T(Six), new float[7])),
        ["Copy: lengths differ"] = (typeof(ArgumentException), "source has 6 elements; expected 5.",
            c => c.B.Copy(c.T(Six), c.T(Five))),
        ["CopyChannels: different H"] = (typeof(ArgumentException), "CopyChannels needs two [N, C, H, W] tensors with the same N, H and W; got [2, 3, 2, 2] and [2, 3, 3, 2].",
            c => c.B.CopyChannels(c.T(new TensorShape(2, 3, 2, 2)), 0, c.T(new TensorShape(2, 3, 3, 2)), 0, 1)),
        ["CopyChannels: a range past the last channel"] = (typeof(ArgumentException), "CopyChannels: channels [2, 4) of [2, 3, 2, 2] into [0, 2) of [2, 5, 2, 2] lie outside a tensor.",
            c => c.B.CopyChannels(c.T(new TensorShape(2, 3, 2, 2)), 2, c.T(new TensorShape(2, 5, 2, 2)), 0, 2)),
        ["Fill: a disposed tensor"] = (typeof(ObjectDisposedException), "tensor (Tensor[6] on <backend>) was disposed.",
            c => c.B.Fill(c.Disposed(Six), 1f)),
        ["Fill: a null tensor"] = (typeof(ArgumentNullException), "(Parameter 'tensor')",
            c => c.B.Fill(null!, 1f)),
        ["Release: a tensor of another backend"] = (typeof(ArgumentException), "tensor (Tensor[6] on <foreign>) does not belong to backend <backend>.",
            c => c.B.Release(c.Foreign(Six))),
    };

    public static TheoryData<string> Cases => new(BadCalls.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_call_fails_the_same_way_on_every_backend(string name)
    {
        (Type exception, string message, Action<Call> run) = BadCalls[name];
        using var reference = new ReferenceBackend(1);
        using var cpu = new CpuBackend(1);
        Backend[] backends = [reference, cpu, fixture.CpuAccelerator];
        var seen = new List<(string Backend, Type Type, string? Parameter, string Message)>();
        foreach (Backend backend in backends)
        {
            using var call = new Call(backend);
            Exception e = Assert.ThrowsAny<Exception>(() => run(call));
            string canonical = e.Message.Replace(ForeignName, "<foreign>", StringComparison.Ordinal).Replace(backend.Name, "<backend>", StringComparison.Ordinal);
            seen.Add((backend.Name, e.GetType(), (e as ArgumentException)?.ParamName ?? (e as ObjectDisposedException)?.ObjectName, canonical));
        }

        string all = string.Join("\n", seen.Select(s => $"  {s.Backend}: {s.Type.Name} ({s.Parameter}) {s.Message}"));
        foreach (var s in seen)
        {
            Assert.True(s.Type == exception, $"{name}: expected {exception.Name} from every backend; got\n{all}");
            Assert.True(s.Message.Contains(message, StringComparison.Ordinal), $"{name}: expected a message with \"{message}\"; got\n{all}");
            Assert.True(s.Type == seen[0].Type && s.Parameter == seen[0].Parameter && s.Message == seen[0].Message, $"{name}: the backends disagree:\n{all}");
        }
    }

    [Fact]
    public void A_disposed_backend_refuses_work_but_accepts_the_release_of_its_tensors()
    {
        foreach (Backend backend in new Backend[] { new ReferenceBackend(1), new CpuBackend(1), new Float64Backend(1) })
        {
            Tensor t = backend.Allocate(Six);
            backend.Dispose();
            backend.Dispose();
            Assert.Throws<ObjectDisposedException>(() => backend.Allocate(Six));
            Assert.Throws<ObjectDisposedException>(() => backend.Fill(t, 1f));
            Assert.Throws<ObjectDisposedException>(() => t.ToArray());
            Assert.Throws<ObjectDisposedException>(backend.Synchronize);
            t.Dispose();
        }
    }

    private static void BatchNormForward(Call c, BatchNormGeometry g, TensorShape input, TensorShape runningVar, TensorShape output)
    {
        var channels = new TensorShape(g.Channels);
        c.B.BatchNormForward(g, c.T(input), c.T(channels), c.T(channels), c.T(channels), c.T(runningVar), true, 0.1f, 1e-5f,
            c.T(output), c.T(channels), c.T(channels));
    }

    /// <summary>A backend under test and the tensors one bad call allocates (freed afterwards: the ILGPU backend is shared).</summary>
    private sealed class Call(Backend backend) : IDisposable
    {
        private readonly List<Tensor> _tensors = [];
        private Float64Backend? _foreign;

        public Backend B => backend;

        /// <summary>A zero tensor of the backend under test.</summary>
        public Tensor T(TensorShape shape)
        {
            Tensor t = backend.Allocate(shape);
            _tensors.Add(t);
            return t;
        }

        /// <summary>A tensor of another backend (named <see cref="ForeignName"/>).</summary>
        public Tensor Foreign(TensorShape shape) => (_foreign ??= new Float64Backend(1)).Allocate(shape);

        /// <summary>A tensor of the backend under test that was disposed.</summary>
        public Tensor Disposed(TensorShape shape)
        {
            Tensor t = backend.Allocate(shape);
            t.Dispose();
            return t;
        }

        public void Dispose()
        {
            foreach (Tensor t in _tensors)
            {
                t.Dispose();
            }

            _foreign?.Dispose();
        }
    }
}
