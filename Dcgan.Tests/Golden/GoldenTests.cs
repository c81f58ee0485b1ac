// One test per golden case file, dispatched on its `op`; compares every tensor the case holds with
// what Dcgan computes on a backend, and reports the worst relative error per case.
namespace Dcgan.Tests.Golden;

using System.Globalization;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Losses;
using Dcgan.Models;
using Dcgan.Modules;
using Dcgan.Optimizers;
using Dcgan.Tensors;
using Dcgan.Tests.Support;
using Dcgan.Training;
using Xunit.Sdk;

public class GoldenTests
{
    private readonly ITestOutputHelper _output;

    public GoldenTests(ITestOutputHelper output) => _output = output;

    /// <summary>Every *.json file of the golden folder (DCGAN_GOLDEN_DIR or the repo copy), by file name.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string file in GoldenCase.Files(GoldenCase.Folder))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Folder_holds_cases()
    {
        string folder = GoldenCase.Folder;
        Assert.True(GoldenCase.Files(folder).Any(), $"No golden case (*.json) in {folder}; set DCGAN_GOLDEN_DIR to a folder of dcgan-golden/1 files.");
    }

    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Case_matches_PyTorch(string file) => Run(file, new CpuBackend());

    /// <summary>The same cases through the ILGPU kernels on ILGPU's CPU accelerator.</summary>
    [Theory]
    [MemberData(nameof(Cases), DisableDiscoveryEnumeration = true)]
    public void Case_matches_PyTorch_on_ilgpu_cpu(string file) => Run(file, Dcgan.Gpu.GpuBackend.CreateCpuAccelerator());

    private void Run(string file, IBackend created)
    {
        using IBackend backend = created;
        RunOn(file, backend, _output);
    }

    /// <summary>Runs the case in <paramref name="file"/> on <paramref name="backend"/> (which stays alive) and reports the worst error.</summary>
    internal static void RunOn(string file, IBackend backend, ITestOutputHelper output)
    {
        GoldenCase c = GoldenCase.Load(Path.Combine(GoldenCase.Folder, file));
        var run = new GoldenRun(c, backend);
        run.Execute();
        string summary = string.Create(CultureInfo.InvariantCulture, $"golden {c.Name} ({c.Op}) on {backend.Name}: {run.Checked} tensors, worst relative error {run.WorstRelative:E2} in {run.WorstTensor}");
        output.WriteLine(summary);
        string? report = Environment.GetEnvironmentVariable("DCGAN_GOLDEN_REPORT");
        if (!string.IsNullOrEmpty(report))
        {
            File.AppendAllText(report, summary + Environment.NewLine);
        }

        Assert.True(run.Checked > 0, $"Golden case {c.Name} compared no tensor.");
    }
}

/// <summary>Runs one golden case on a backend and compares.</summary>
public sealed class GoldenRun(GoldenCase c, IBackend backend)
{
    public int Checked { get; private set; }

    public double WorstRelative { get; private set; }

    public string WorstTensor { get; private set; } = "-";

    public void Execute()
    {
        switch (c.Op)
        {
            case "Conv2d":
                RunConv(transposed: false);
                break;
            case "ConvTranspose2d":
                RunConv(transposed: true);
                break;
            case "BatchNorm2d":
            case "BatchNorm1d":
                RunBatchNorm();
                break;
            case "ReLU":
                RunActivation(new ReLU());
                break;
            case "LeakyReLU":
                RunActivation(new LeakyReLU((float)c.Double("negative_slope")));
                break;
            case "Tanh":
                RunActivation(new Tanh());
                break;
            case "Sigmoid":
                RunActivation(new Sigmoid());
                break;
            case "Linear":
                RunLinear();
                break;
            case "BCEWithLogitsLoss":
                RunBce();
                break;
            case "CrossEntropyLoss":
                RunCrossEntropy();
                break;
            case "Adam":
                RunAdam();
                break;
            case "DcganStep":
                RunDcganStep();
                break;
            case "DcganStepTf":
                RunTfStep();
                break;
            case "DcganStep64":
                RunDcgan64Step();
                break;
            case "ConditionalDcganStep":
                RunConditionalStep();
                break;
            default:
                throw new XunitException($"Golden case {c.Name} in {c.File} has unknown op '{c.Op}'.");
        }
    }

    private Tensor Load(string name)
    {
        GoldenTensor g = c[name];
        Tensor t = backend.Allocate(new TensorShape(g.Shape));
        t.CopyFrom(g.ToFloat());
        return t;
    }

    private static void Set(Parameter p, GoldenTensor g) => p.Data.CopyFrom(g.ToFloat());

    private void Check(string name, Tensor actual) => Check(name, c[name].Data, actual.ToArray(), actual.Shape, c[name].Shape);

    private void Check(string name, double[] expected, float[] actual, TensorShape actualShape, int[] expectedShape)
    {
        if (actualShape != new TensorShape(expectedShape) && actualShape.ElementCount != expected.Length)
        {
            throw new XunitException($"{c.Name}: tensor {name} has shape {actualShape}; expected [{string.Join(", ", expectedShape)}].");
        }

        double worst = Compare.Close($"{c.Name}: {name}", expected, actual, c.Rtol, c.Atol);
        Record(name, worst);
    }

    private void CheckScalar(string name, float actual) => Record(name, Compare.Close($"{c.Name}: {name}", c[name].Data, [actual], c.Rtol, c.Atol));

    private void Record(string name, double worst)
    {
        Checked++;
        if (worst >= WorstRelative)
        {
            WorstRelative = worst;
            WorstTensor = name;
        }
    }

    private void RunConv(bool transposed)
    {
        int k = c.Int("kernel_size"), s = c.Int("stride"), p = c.Int("padding");
        bool bias = c.Bool("bias");
        Module m = transposed
            ? new ConvTranspose2d(c.Int("in_channels"), c.Int("out_channels"), k, s, p, c.Int("output_padding"), bias)
            : new Conv2d(c.Int("in_channels"), c.Int("out_channels"), k, s, p, bias);
        m.To(backend);
        Parameter weight = m.LocalParameters.Single(q => q.Name == "weight");
        Set(weight, c["weight"]);
        Parameter? b = m.LocalParameters.SingleOrDefault(q => q.Name == "bias");
        if (b is not null)
        {
            Set(b, c["bias"]);
        }

        RunForwardBackward(m);
        Check("grad_weight", weight.Grad);
        if (b is not null)
        {
            Check("grad_bias", b.Grad);
        }
    }

    private void RunForwardBackward(Module m)
    {
        using Tensor input = Load("input");
        Check("output", m.Forward(input));
        using Tensor gradOutput = Load("grad_output");
        Check("grad_input", m.Backward(gradOutput));
    }

    private void RunBatchNorm()
    {
        int features = c.Int("num_features");
        float eps = (float)c.Double("eps"), momentum = (float)c.Double("momentum");
        BatchNorm bn = c.Op == "BatchNorm2d" ? new BatchNorm2d(features, eps, momentum) : new BatchNorm1d(features, eps, momentum);
        bn.To(backend);
        bn.Train(c.Bool("training"));
        Set(bn.Weight, c["weight"]);
        Set(bn.Bias, c["bias"]);
        bn.RunningMean.CopyFrom(c["running_mean_in"].ToFloat());
        bn.RunningVar.CopyFrom(c["running_var_in"].ToFloat());
        RunForwardBackward(bn);
        Check("running_mean_out", bn.RunningMean);
        Check("running_var_out", bn.RunningVar);
        Check("grad_weight", bn.Weight.Grad);
        Check("grad_bias", bn.Bias.Grad);
    }

    private void RunActivation(Module m)
    {
        m.To(backend);
        RunForwardBackward(m);
    }

    private void RunLinear()
    {
        var m = new Linear(c.Int("in_features"), c.Int("out_features"), c.Bool("bias"));
        m.To(backend);
        Set(m.Weight, c["weight"]);
        if (m.Bias is not null)
        {
            Set(m.Bias, c["bias"]);
        }

        RunForwardBackward(m);
        Check("grad_weight", m.Weight.Grad);
        if (m.Bias is not null)
        {
            Check("grad_bias", m.Bias.Grad);
        }
    }

    private void RunBce()
    {
        using var loss = new BCEWithLogitsLoss();
        using Tensor input = Load("input");
        using Tensor target = Load("target");
        CheckScalar("output", loss.Forward(input, target).Item());
        Check("grad_input", loss.Backward());
    }

    private void RunCrossEntropy()
    {
        using var loss = new CrossEntropyLoss();
        using Tensor input = Load("input");
        int[] target = Array.ConvertAll(c["target"].Data, d => (int)d);
        CheckScalar("output", loss.Forward(input, target).Item());
        Check("grad_input", loss.Backward());
    }

    private void RunAdam()
    {
        GoldenTensor paramIn = c["param_in"];
        var holder = new ParameterHolder(new TensorShape(paramIn.Shape));
        holder.To(backend);
        Set(holder.Value, paramIn);
        using var adam = new Adam(holder.Parameters(), c.Double("lr"), c.Double("beta1"), c.Double("beta2"), c.Double("eps"), c.Double("weight_decay"));
        GoldenTensor grads = c["grads"];
        int steps = c.Int("steps"), n = paramIn.Data.Length;
        for (int i = 0; i < steps; i++)
        {
            holder.Value.Grad.CopyFrom(Array.ConvertAll(grads.Data[(i * n)..((i + 1) * n)], d => (float)d));
            adam.Step();
        }

        Check("param_out", holder.Value.Data);
        (Tensor expAvg, Tensor expAvgSq) = adam.StateOf(holder.Value);
        Check("exp_avg_out", expAvg);
        Check("exp_avg_sq_out", expAvgSq);
    }

    private void RunDcganStep()
    {
        int nz = c.Int("nz"), ngf = c.Int("ngf"), ndf = c.Int("ndf");
        int imageSize = c["real"].Shape[2];
        float slope = (float)c.Double("leaky_slope"), momentum = (float)c.Double("bn_momentum"), eps = (float)c.Double("bn_eps");
        Network g = DcganModels.Generator(nz, 2 * ngf, ngf, imageSize, 1, momentum, eps);
        Network d = DcganModels.Discriminator(ndf, imageSize, 1, slope, momentum, eps);
        RunStep(g, d, (og, od) => new AlternatingGanStep(g, d, og, od), result =>
        {
            CheckScalar("loss_d_real", result.LossD - LossOf("loss_d_fake"));
            CheckScalar("loss_d_fake", result.LossD - LossOf("loss_d_real"));
            CheckScalar("loss_g", result.LossG);
        });
    }

    private void RunTfStep()
    {
        int[] gc = c.IntArray("g_channels"), dc = c.IntArray("d_channels");
        float slope = (float)c.Double("leaky_slope"), momentum = (float)c.Double("bn_momentum"), eps = (float)c.Double("bn_eps");
        Network g = TfTutorialModels.Generator(c.Int("nz"), gc[0], gc[1], gc[2], slope, momentum, eps);
        Network d = TfTutorialModels.Discriminator(dc[0], dc[1], slope, (float)c.Double("dropout"));
        RunStep(g, d, (og, od) => new SimultaneousGanStep(g, d, og, od), result =>
        {
            CheckScalar("gen_loss", result.LossG);
            CheckScalar("disc_loss", result.LossD);
        });
    }

    // Through the trainer's own code: the dcgan64 preset builds G, D, Adam and the step exactly as `dcgan train` does.
    private void RunDcgan64Step()
    {
        Assert.True(c.Double("leaky_slope") == 0.2 && c.Double("bn_momentum") == 0.1 && c.Double("bn_eps") == 1e-5 && c.Int("image_size") == 64,
            $"{c.Name}: the dcgan64 preset has LeakyReLU 0.2, BatchNorm momentum 0.1 and eps 1e-5 at 64x64; this case asks for other settings.");
        var options = new Dcgan.Samples.Training.TrainOptions
        {
            Arch = Dcgan.Samples.Training.Architectures.Dcgan64,
            Nz = c.Int("nz"),
            Ngf = c.Int("ngf"),
            Ndf = c.Int("ndf"),
            Lr = c.Double("lr"),
            Beta1 = c.Double("beta1"),
            Beta2 = c.Double("beta2"),
            AdamEps = c.Double("eps"),
        };
        var geometry = new Dcgan.Samples.Training.ImageGeometry(c.Int("nc"), 64, 64);
        using Dcgan.Samples.Training.GanModel model = Dcgan.Samples.Training.Presets.Build(options, geometry, backend, new Dcgan.Init.RandomSource(0));
        Assert.IsType<AlternatingGanStep>(model.Step);
        LoadState("in.G.", model.Generator);
        LoadState("in.D.", model.Discriminator);
        using Tensor real = Load("real");
        using Tensor z = Load("z");
        GanStepResult result = model.Step.Step(real, z);
        CheckStep(model.Generator, model.Discriminator, model.Step, result, r =>
        {
            CheckScalar("loss_d_real", r.LossD - LossOf("loss_d_fake"));
            CheckScalar("loss_d_fake", r.LossD - LossOf("loss_d_real"));
            CheckScalar("loss_g", r.LossG);
        });
    }

    // Through the trainer's own code: `dcgan train --conditional` builds G, D, Adam and the conditional step this way. The
    // case's G is ConvT(nz+C, 2·ngf) → ConvT(2·ngf, ngf); the dcgan preset's is 4·ngf → 2·ngf, so its ngf is half the case's.
    private void RunConditionalStep()
    {
        Assert.True(c.Double("leaky_slope") == 0.2 && c.Double("bn_momentum") == 0.1 && c.Double("bn_eps") == 1e-5 && c.Int("ngf") % 2 == 0,
            $"{c.Name}: the dcgan preset has LeakyReLU 0.2, BatchNorm momentum 0.1 and eps 1e-5 and G widths 4·ngf, 2·ngf; this case asks for other settings.");
        int size = c.Int("image_size"), classes = c.Int("num_classes");
        var options = new Dcgan.Samples.Training.TrainOptions
        {
            Arch = Dcgan.Samples.Training.Architectures.Dcgan,
            Conditional = true,
            NumClasses = classes,
            Nz = c.Int("nz"),
            Ngf = c.Int("ngf") / 2,
            Ndf = c.Int("ndf"),
            Lr = c.Double("lr"),
            Beta1 = c.Double("beta1"),
            Beta2 = c.Double("beta2"),
            AdamEps = c.Double("eps"),
        };
        using Dcgan.Samples.Training.GanModel model = Dcgan.Samples.Training.Presets.Build(options, new Dcgan.Samples.Training.ImageGeometry(1, size, size), backend, new Dcgan.Init.RandomSource(0));
        var step = Assert.IsType<ConditionalGanStep>(model.Step);
        LoadState("in.G.", model.Generator);
        LoadState("in.D.", model.Discriminator);
        using Tensor real = Load("real");
        using Tensor z = Load("z");
        step.SetLabels(c["labels"].Data.Select(v => (int)v).ToArray());
        GanStepResult result = step.Step(real, z);
        CheckStep(model.Generator, model.Discriminator, step, result, r =>
        {
            CheckScalar("loss_d_real", r.LossD - LossOf("loss_d_fake"));
            CheckScalar("loss_d_fake", r.LossD - LossOf("loss_d_real"));
            CheckScalar("loss_g", r.LossG);
        });
    }

    private float LossOf(string name) => (float)c[name].Data[0];

    private void RunStep(Network g, Network d, Func<Adam, Adam, GanStep> makeStep, Action<GanStepResult> checkLosses)
    {
        g.To(backend);
        d.To(backend);
        LoadState("in.G.", g);
        LoadState("in.D.", d);
        double lr = c.Double("lr"), beta1 = c.Double("beta1"), beta2 = c.Double("beta2"), adamEps = c.Double("eps");
        using var optG = new Adam(g.Parameters(), lr, beta1, beta2, adamEps);
        using var optD = new Adam(d.Parameters(), lr, beta1, beta2, adamEps);
        using GanStep step = makeStep(optG, optD);
        using Tensor real = Load("real");
        using Tensor z = Load("z");
        GanStepResult result = step.Step(real, z);
        CheckStep(g, d, step, result, checkLosses);
    }

    private void CheckStep(Network g, Network d, GanStep step, GanStepResult result, Action<GanStepResult> checkLosses)
    {
        Check("fake", step.LastFake!);
        checkLosses(result);
        foreach ((string prefix, Network net) in new[] { ("G.", g), ("D.", d) })
        {
            foreach ((string name, Parameter p) in net.NamedParameters())
            {
                Check($"grad.{prefix}{name}", p.Grad);
                double[] before = c[$"in.{prefix}{name}"].Data;
                double[] after = c[$"out.{prefix}{name}"].Data;
                float[] actual = p.Data.ToArray();
                double[] expectedDelta = after.Select((v, i) => v - before[i]).ToArray();
                float[] actualDelta = actual.Select((v, i) => (float)(v - before[i])).ToArray();
                Check($"out.{prefix}{name} - in", expectedDelta, actualDelta, p.Shape, c[$"out.{prefix}{name}"].Shape);
            }

            foreach ((string name, Tensor buffer) in net.NamedBuffers())
            {
                if (c.Has($"out.{prefix}{name}"))
                {
                    Check($"out.{prefix}{name}", buffer);
                }
            }
        }
    }

    private void LoadState(string prefix, Network net)
    {
        foreach ((string name, Parameter p) in net.NamedParameters())
        {
            Set(p, c[prefix + name]);
        }

        foreach ((string name, Tensor buffer) in net.NamedBuffers())
        {
            if (c.Has(prefix + name))
            {
                buffer.CopyFrom(c[prefix + name].ToFloat());
            }
        }
    }

    /// <summary>A module holding one free parameter, for optimizer cases.</summary>
    private sealed class ParameterHolder : Module
    {
        public ParameterHolder(TensorShape shape) => Value = RegisterParameter("param", shape);

        public Parameter Value { get; }

        public override Tensor Forward(Tensor input) => input;

        public override Tensor Backward(Tensor gradOutput) => gradOutput;
    }
}
