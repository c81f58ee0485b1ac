// Module plumbing: one flat parameter buffer per network, ZeroGrad, moving between backends, PyTorch
// state_dict names, Backward-before-Forward errors, RandomSource state round trips and the DCGAN initialisation.
namespace Dcgan.Tests.Modules;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;

public sealed class ModulePlumbingTests
{
    /// <summary>Conv2d → BatchNorm2d → LeakyReLU → Flatten → Linear on [N, 2, 6, 6] inputs.</summary>
    private static Sequential SmallNetwork() => new(
        new Conv2d(2, 4, 4, stride: 2, padding: 1), // (N, 4, 3, 3)
        new BatchNorm2d(4),
        new LeakyReLU(0.2f),
        new Flatten(),                              // (N, 36)
        new Linear(36, 3));

    private static Tensor RandomInput(CpuBackend backend, RandomSource random, params int[] shape)
    {
        Tensor x = backend.Allocate(new TensorShape(shape));
        var data = new float[x.Length];
        random.FillNormal(data);
        x.CopyFrom(data);
        return x;
    }

    [Fact]
    public void To_puts_every_parameter_in_one_flat_buffer_in_named_order()
    {
        var backend = new CpuBackend(threads: 1);
        using Sequential network = SmallNetwork();
        network.To(backend, new RandomSource(1));

        var parameters = network.NamedParameters().ToList();
        int total = parameters.Sum(p => p.Parameter.Shape.ElementCount);
        Assert.Equal((4 * 2 * 4 * 4) + 4 + 4 + 4 + (3 * 36) + 3, total);
        Assert.NotNull(network.FlatParameters);
        Assert.NotNull(network.FlatGradients);
        Assert.Equal(total, network.FlatParameters!.Length);
        Assert.Equal(total, network.FlatGradients!.Length);

        int offset = network.FlatParameters.Offset;
        foreach ((string name, Parameter p) in parameters)
        {
            Assert.Same(network.FlatParameters.Storage, p.Data.Storage);
            Assert.Same(network.FlatGradients.Storage, p.Grad.Storage);
            Assert.True(p.Data.Offset == offset, $"{name} starts at {p.Data.Offset}; expected {offset} (parameters packed in order).");
            offset += p.Shape.ElementCount;
        }

        // The flat buffer and the views are the same memory: writing one is seen through the other.
        var values = new float[total];
        for (int i = 0; i < total; i++)
        {
            values[i] = i;
        }

        network.FlatParameters.CopyFrom(values);
        Assert.Equal(values.AsSpan(total - 3).ToArray(), ((Linear)network[4]).Bias!.Data.ToArray());
    }

    [Fact]
    public void ZeroGrad_zeroes_every_gradient_after_a_backward_pass()
    {
        var backend = new CpuBackend(threads: 1);
        var random = new RandomSource(2);
        using Sequential network = SmallNetwork();
        network.To(backend, random);
        using Tensor x = RandomInput(backend, random, 3, 2, 6, 6);
        using Tensor dy = RandomInput(backend, random, 3, 3);

        network.Forward(x);
        network.Backward(dy);
        foreach ((string name, Parameter p) in network.NamedParameters().Where(p => p.Name != "0.bias"))
        {
            Assert.True(p.Grad.ToArray().Any(v => v != 0f), $"{name} has no gradient after backward; the test needs one.");
        }

        network.ZeroGrad();

        Assert.All(network.FlatGradients!.ToArray(), v => Assert.Equal(0f, v));
        foreach ((string name, Parameter p) in network.NamedParameters())
        {
            Assert.True(p.Grad.ToArray().All(v => v == 0f), $"{name} still has a gradient after ZeroGrad.");
        }
    }

    [Fact]
    public void Parameter_gradients_accumulate_until_ZeroGrad()
    {
        var backend = new CpuBackend(threads: 1);
        var random = new RandomSource(3);
        using var conv = new Conv2d(2, 3, 3, padding: 1);
        conv.To(backend, random);
        using Tensor x = RandomInput(backend, random, 2, 2, 4, 5);
        using Tensor dy = RandomInput(backend, random, 2, 3, 4, 5);

        conv.Forward(x);
        conv.Backward(dy);
        float[] once = conv.FlatGradients!.ToArray();
        conv.Forward(x);
        conv.Backward(dy);
        float[] twice = conv.FlatGradients!.ToArray();

        for (int i = 0; i < once.Length; i++)
        {
            Assert.True(twice[i] == 2 * once[i], $"gradient [{i}] after two backward passes is {twice[i]}; expected 2 × {once[i]}.");
        }
    }

    [Fact]
    public void Moving_a_network_between_backends_keeps_parameters_and_buffers()
    {
        var first = new CpuBackend(threads: 1);
        var second = new Float64Backend(threads: 1);
        var third = new CpuBackend(threads: 2);
        var random = new RandomSource(4);
        using Sequential network = SmallNetwork();
        network.To(first, random);
        using (Tensor x = RandomInput(first, random, 3, 2, 6, 6))
        {
            network.Forward(x); // moves the BatchNorm running statistics away from 0 and 1
        }

        float[] parameters = network.FlatParameters!.ToArray();
        var buffers = network.NamedBuffers().Select(b => (b.Name, Values: b.Buffer.ToArray())).ToList();
        Assert.Contains(buffers, b => b.Values.Any(v => v != 0f && v != 1f));

        network.To(second);
        Assert.Same(second, network.Backend);
        Assert.All(network.Modules(), m => Assert.Same(second, m.Backend));
        network.To(third);

        Assert.Same(third, network.Backend);
        Assert.Same(third, network.FlatParameters!.Backend);
        Assert.Equal(parameters, network.FlatParameters.ToArray());
        foreach ((string name, float[] values) in buffers)
        {
            Tensor moved = network.NamedBuffers().Single(b => b.Name == name).Buffer;
            Assert.Same(third, moved.Backend);
            Assert.True(values.SequenceEqual(moved.ToArray()), $"buffer {name} changed when the network moved between backends.");
        }

        // Gradients start from zero on the new backend, and the moved network still runs.
        Assert.All(network.FlatGradients!.ToArray(), v => Assert.Equal(0f, v));
        using Tensor y = RandomInput(third, random, 2, 2, 6, 6);
        Assert.Equal(new TensorShape(2, 3), network.Forward(y).Shape);
    }

    [Fact]
    public void Names_follow_PyTorch_state_dict_keys()
    {
        var backend = new CpuBackend(threads: 1);
        using Sequential network = SmallNetwork();
        network.To(backend);

        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias"],
            network.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["1.running_mean", "1.running_var"], network.NamedBuffers().Select(b => b.Name).ToArray());
        Assert.Equal(new TensorShape(4, 2, 4, 4), network.NamedParameters().First().Parameter.Shape);
        Assert.Equal(new TensorShape(3, 36), network.NamedParameters().Single(p => p.Name == "4.weight").Parameter.Shape);

        // Nested Sequentials get dotted paths, as torch.nn.Sequential inside a module named "main".
        using var nested = new Sequential(new Sequential(new ConvTranspose2d(2, 3, 4, bias: false), new BatchNorm2d(3)));
        nested.To(backend);
        Assert.Equal(["0.0.weight", "0.1.weight", "0.1.bias"], nested.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(new TensorShape(2, 3, 4, 4), nested.NamedParameters().First().Parameter.Shape);
        Assert.Equal(["0.1.running_mean", "0.1.running_var"], nested.NamedBuffers().Select(b => b.Name).ToArray());
    }

    public static TheoryData<string> ModuleKinds => ["Conv2d", "ConvTranspose2d", "BatchNorm2d", "BatchNorm1d", "Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Dropout", "Flatten", "Unflatten", "Sequential"];

    [Theory]
    [MemberData(nameof(ModuleKinds))]
    public void Backward_before_Forward_throws_InvalidOperationException(string kind)
    {
        var backend = new CpuBackend(threads: 1);
        (Module module, int[] outputShape) = kind switch
        {
            "Conv2d" => ((Module)new Conv2d(2, 3, 3), new[] { 1, 3, 2, 2 }),
            "ConvTranspose2d" => (new ConvTranspose2d(2, 3, 3), new[] { 1, 3, 6, 6 }),
            "BatchNorm2d" => (new BatchNorm2d(2), new[] { 2, 2, 2, 2 }),
            "BatchNorm1d" => (new BatchNorm1d(2), new[] { 2, 2 }),
            "Linear" => (new Linear(4, 2), new[] { 2, 2 }),
            "ReLU" => (new ReLU(), new[] { 2, 3 }),
            "LeakyReLU" => (new LeakyReLU(0.2f), new[] { 2, 3 }),
            "Tanh" => (new Tanh(), new[] { 2, 3 }),
            "Sigmoid" => (new Sigmoid(), new[] { 2, 3 }),
            "Dropout" => (new Dropout(0.5f), new[] { 2, 3 }),
            "Flatten" => (new Flatten(), new[] { 2, 12 }),
            "Unflatten" => (new Unflatten(3, 2, 2), new[] { 2, 3, 2, 2 }),
            _ => (new Sequential(new Conv2d(2, 3, 3), new ReLU()), new[] { 1, 3, 2, 2 }),
        };
        using (module)
        {
            module.To(backend);
            using Tensor dy = backend.Allocate(new TensorShape(outputShape));

            var e = Assert.Throws<InvalidOperationException>(() => module.Backward(dy));
            Assert.Contains("Forward", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dropout_masks_are_reproducible_per_call_and_eval_mode_is_the_identity()
    {
        var backend = new CpuBackend(threads: 1);
        using var dropout = new Dropout(0.5f, seed: 99);
        dropout.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(4, 64));
        backend.Fill(x, 1f);

        float[] first = dropout.Forward(x).ToArray();
        float[] second = dropout.Forward(x).ToArray();
        Assert.Equal(2, dropout.Calls);
        dropout.Calls = 0;
        float[] again = dropout.Forward(x).ToArray();

        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
        Assert.All(first, v => Assert.True(v == 0f || v == 2f, $"Dropout(0.5) of 1 gave {v}; expected 0 or 2."));
        int zeros = first.Count(v => v == 0f);
        Assert.InRange(zeros, 128 - 40, 128 + 40); // 256 draws, σ = 8

        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
        Assert.Equal(1, dropout.Calls); // eval passes draw no mask
    }

    [Fact]
    public void An_unbound_module_explains_that_To_is_missing()
    {
        var backend = new CpuBackend(threads: 1);
        using var conv = new Conv2d(1, 1, 3);
        using Tensor x = backend.Allocate(new TensorShape(1, 1, 3, 3));

        var e = Assert.Throws<InvalidOperationException>(() => conv.Forward(x));
        Assert.Contains("To(", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => conv.Weight.Data);
    }

    [Fact]
    public void RandomSource_state_round_trips_exactly_including_the_cached_normal()
    {
        var source = new RandomSource(20240601);
        source.Normal(); // leaves the second Box–Muller value cached
        ulong[] state = source.GetState();
        Assert.Equal(1UL, state[4]);

        double[] expected = Draws(source);
        var restored = new RandomSource(7);
        restored.SetState(state);
        double[] actual = Draws(restored);

        Assert.Equal(expected, actual);
        Assert.Equal(source.GetState(), restored.GetState());
        Assert.Throws<ArgumentException>(() => restored.SetState([1, 2, 3]));
        Assert.Throws<ArgumentException>(() => restored.SetState([0, 0, 0, 0, 0, 0]));

        static double[] Draws(RandomSource r) => [r.Normal(), r.Normal(), r.NextDouble(), r.NextUInt64(), r.Normal(0.5, 2), r.Uniform(-1, 1), r.NextInt(10)];
    }

    [Fact]
    public void RandomSource_same_seed_same_stream_and_forks_differ()
    {
        var a = new RandomSource(42);
        var b = new RandomSource(42);
        var c = new RandomSource(43);
        ulong[] fromA = [.. Enumerable.Range(0, 8).Select(_ => a.NextUInt64())];
        ulong[] fromB = [.. Enumerable.Range(0, 8).Select(_ => b.NextUInt64())];
        ulong[] fromC = [.. Enumerable.Range(0, 8).Select(_ => c.NextUInt64())];
        Assert.Equal(fromA, fromB);
        Assert.NotEqual(fromA, fromC);

        ulong[] before = a.GetState();
        RandomSource noise = a.Fork("noise");
        RandomSource init = a.Fork("init");
        Assert.Equal(before, a.GetState()); // forking does not advance the parent
        Assert.NotEqual(noise.NextUInt64(), init.NextUInt64());
    }

    [Fact]
    public void DcganInit_draws_conv_weights_N0_002_and_BatchNorm_weights_N1_002_with_zero_bias()
    {
        var backend = new CpuBackend(threads: 1);
        using var network = new Sequential(
            new ConvTranspose2d(64, 32, 4, bias: false),
            new BatchNorm2d(1024),
            new Conv2d(32, 64, 4, stride: 2, padding: 1, bias: false),
            new BatchNorm1d(1024),
            new LeakyReLU(0.2f));
        network.To(backend, new RandomSource(5));
        foreach (BatchNorm bn in network.Modules().OfType<BatchNorm>())
        {
            backend.Fill(bn.Bias.Data, 0.3f); // so that "bias 0" is something the initialisation must do
        }

        DcganInit.Apply(network, new RandomSource(6));

        // 32768 conv weights: the sample mean is within 0.02/√32768 ≈ 1.1e-4 (1σ), the std within ≈ 0.4%.
        foreach (Parameter w in new[] { ((ConvTranspose2d)network[0]).Weight, ((Conv2d)network[2]).Weight })
        {
            (double mean, double std) = MeanStd(w.Data.ToArray());
            Assert.True(Math.Abs(mean) < 6e-4 && Math.Abs(std - 0.02) < 0.001, $"conv weight {w.Shape}: mean {mean:E3}, std {std:E4}; expected N(0, 0.02).");
        }

        // 1024 BatchNorm weights: mean within 0.02/32 ≈ 6e-4 (1σ), std within ≈ 2.2%.
        foreach (BatchNorm bn in network.Modules().OfType<BatchNorm>())
        {
            (double mean, double std) = MeanStd(bn.Weight.Data.ToArray());
            Assert.True(Math.Abs(mean - 1) < 3e-3 && Math.Abs(std - 0.02) < 0.002, $"{bn} weight: mean {mean:F5}, std {std:E4}; expected N(1, 0.02).");
            Assert.All(bn.Bias.Data.ToArray(), v => Assert.Equal(0f, v));
        }

        static (double Mean, double Std) MeanStd(float[] v)
        {
            double mean = v.Average(x => (double)x);
            double variance = v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
            return (mean, Math.Sqrt(variance));
        }
    }

    [Fact]
    public void Default_initialisation_is_PyTorchs_uniform_bound_and_reproducible()
    {
        var backend = new CpuBackend(threads: 1);
        using var a = new Conv2d(8, 16, 3);
        using var b = new Conv2d(8, 16, 3);
        a.To(backend, new RandomSource(9));
        b.To(backend, new RandomSource(9));

        float[] weights = a.Weight.Data.ToArray();
        double bound = 1 / Math.Sqrt(8 * 3 * 3);
        Assert.All(weights, v => Assert.InRange(v, -bound, bound));
        Assert.True(weights.Max() > 0.9 * bound && weights.Min() < -0.9 * bound, "the weights do not fill U(−bound, bound).");
        Assert.All(a.Bias!.Data.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.Equal(weights, b.Weight.Data.ToArray());
    }
}
