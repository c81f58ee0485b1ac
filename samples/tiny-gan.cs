#!/usr/bin/env dotnet
// A DCGAN in one file: learns 16×16 discs (512, drawn at the start), then writes a grid of its samples
// (tiny-gan.pgm) and the generator as ONNX (tiny-gan-g.onnx). Needs the .NET 10 SDK only:
//   dotnet run tiny-gan.cs                 300 steps (about 10 s on two cores, build included)
//   dotnet run tiny-gan.cs -- 40 out/      40 steps, files in out/
// It restores Dcgan.Core and Dcgan.Onnx from the NuGet sources in effect (a nuget.config beside the file, or
// RestoreAdditionalProjectSources=FOLDER in the environment for a locally packed feed). In the repository,
// samples/ holds empty Directory.*.props so that the repository's central package versions stay out.
#:package Dcgan.Core@0.1.0
#:package Dcgan.Onnx@0.1.0
#:property PublishAot=false

using System.Buffers;
using System.Numerics.Tensors;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Onnx;
using Dcgan.Optimizers;
using Dcgan.Training;
using Tensor = Dcgan.Tensors.Tensor; // System.Numerics.Tensors has a Tensor class too; this alias picks ours

int steps = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 300;
string outDir = args.Length > 1 ? args[1] : ".";
const int Size = 16, Nz = 16, Batch = 32;

// The data: discs of random centre and radius, +1 inside and −1 outside (G's Tanh range), as a
// System.Numerics.Tensors tensor [N, 1, 16, 16].
var random = new RandomSource(seed: 7);
Tensor<float> discs = System.Numerics.Tensors.Tensor.CreateFromShapeUninitialized<float>([512, 1, Size, Size]);
for (int n = 0; n < 512; n++)
{
    double cx = random.Uniform(5, 11), cy = random.Uniform(5, 11), r = random.Uniform(2.5, 5);
    for (int y = 0; y < Size; y++)
    {
        for (int x = 0; x < Size; x++)
        {
            double dist = Math.Sqrt(((x + 0.5 - cx) * (x + 0.5 - cx)) + ((y + 0.5 - cy) * (y + 0.5 - cy)));
            discs[n, 0, y, x] = (float)Math.Clamp(r - dist, -1, 1);
        }
    }
}

// G: noise [N, 16, 1, 1] -> [N, 1, 16, 16]; D: image -> one logit. Both from the DCGAN layout, on the CPU.
using var cpu = new CpuBackend();
using var g = DcganModels.Generator(Nz, c1: 64, c2: 32, imageSize: Size);
using var d = DcganModels.Discriminator(ndf: 32, imageSize: Size);
g.To(cpu);
d.To(cpu);
DcganInit.Apply(g, random.Fork("G"));
DcganInit.Apply(d, random.Fork("D"));
var adamG = new Adam(g.Parameters(), learningRate: 2e-3, beta1: 0.5);
var adamD = new Adam(d.Parameters(), learningRate: 2e-3, beta1: 0.5);
using var step = new AlternatingGanStep(g, d, adamG, adamD);

using Tensor real = cpu.Allocate(new(Batch, 1, Size, Size));
using Tensor noise = cpu.Allocate(new(Batch, Nz, 1, 1));
float[] z = new float[Batch * Nz];
GanStepResult last = default;
for (int i = 1; i <= steps; i++)
{
    // A batch straight from the System.Numerics.Tensors tensor: a slice along N, no array in between.
    int start = random.NextInt(512 - Batch);
    real.CopyFrom(discs.AsReadOnlyTensorSpan([new NRange(start, start + Batch), NRange.All, NRange.All, NRange.All]));
    random.FillNormal(z);
    noise.CopyFrom(z);
    last = step.Step(real, noise);
    if (i % 20 == 0 || i == steps)
    {
        Console.WriteLine($"[{i}/{steps}] Loss_D {last.LossD:F4} Loss_G {last.LossG:F4} D(x) {last.DX:F3} D(G(z)) {last.DGZ1:F3}");
    }
}

// 64 samples as an 8×8 grid of 16×16 tiles, read through a System.Numerics.Tensors tensor, written as a PGM.
using Tensor fixedNoise = cpu.Allocate(new(64, Nz, 1, 1));
float[] z64 = new float[64 * Nz];
random.FillNormal(z64);
fixedNoise.CopyFrom(z64);
Tensor<float> samples = g.Forward(fixedNoise).ToTensor(); // [64, 1, 16, 16] in [-1, 1]
var pgm = new byte[8 * Size * 8 * Size];
for (int n = 0; n < 64; n++)
{
    for (int y = 0; y < Size; y++)
    {
        for (int x = 0; x < Size; x++)
        {
            float v = samples[n, 0, y, x];
            pgm[(((n / 8 * Size) + y) * 8 * Size) + (n % 8 * Size) + x] = (byte)Math.Clamp((int)MathF.Round((v + 1) * 127.5f), 0, 255);
        }
    }
}

Directory.CreateDirectory(outDir);
string grid = Path.Combine(outDir, "tiny-gan.pgm");
using (var file = File.Create(grid))
{
    file.Write(System.Text.Encoding.ASCII.GetBytes($"P5 {8 * Size} {8 * Size} 255\n"));
    file.Write(pgm);
}

// The generator as an ONNX model (BatchNorm with its running statistics), input [N, 16, 1, 1].
g.Eval();
string onnx = Path.Combine(outDir, "tiny-gan-g.onnx");
File.WriteAllBytes(onnx, OnnxExporter.Export(g, [Nz, 1, 1]));

float mean = TensorPrimitives.Average<float>(samples.AsReadOnlyTensorSpan().GetSpan([0, 0, 0, 0], (int)samples.FlattenedLength));
Console.WriteLine($"wrote {grid} (8×8 samples, mean pixel {mean:F3}) and {onnx} ({new FileInfo(onnx).Length} bytes)");
return float.IsFinite(last.LossD) && float.IsFinite(last.LossG) ? 0 : 1;
