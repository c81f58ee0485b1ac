// `dcgan export`: a checkpoint's generator (or discriminator) as an ONNX model for ONNX Runtime, ML.NET or the browser.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using System.Globalization;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Onnx;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tensors;

public static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by dcgan train.", Required = true };
        var output = new Option<string>("--out") { Description = "ONNX file to write (.onnx; an existing file only with --force).", Required = true };
        var network = new Option<string>("--network") { Description = "Which network: G (generator, default) or D (discriminator).", DefaultValueFactory = _ => "G" };
        network.AcceptOnlyFromAmong("G", "D");
        var force = new Option<bool>("--force") { Description = "Overwrite --out if it exists." };
        var command = new Command("export", $"Export a checkpoint's generator or discriminator as an ONNX model (opset {OnnxExporter.OpsetVersion}, any batch size).") { checkpoint, output, network, force };
        command.SetAction(r => Run(r.GetValue(checkpoint)!, r.GetValue(output)!, r.GetValue(network)!, r.GetValue(force)));
        return command;
    }

    public static int Run(string checkpoint, string outFile, string network = "G", bool force = false)
    {
        try
        {
            if (!string.Equals(Path.GetExtension(outFile), ".onnx", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"--out {outFile}: dcgan export writes ONNX models; name the file .onnx.");
            }

            if (!force && (File.Exists(outFile) || Directory.Exists(outFile)))
            {
                throw new ArgumentException($"--out {outFile} exists; pass --force to overwrite it.");
            }

            if (network is not ("G" or "D"))
            {
                throw new ArgumentException($"--network is '{network}'; expected G or D.");
            }

            TrainOptions o = TrainRunner.ReadConfig(checkpoint);
            using IBackend backend = new CpuBackend();
            using GanModel model = Presets.Build(o, backend, new RandomSource(0));
            bool generator = network == "G";
            Network net = generator ? model.Generator : model.Discriminator;
            Checkpoint.Load(checkpoint, [new CheckpointPart(network, net)]);

            // D reads what G writes, so its input shape is G's output shape (whatever the preset's image size).
            // A conditional model's G reads cat(z, onehot(y)) and its D cat(image, onehot maps): the inputs are wider by the classes.
            int classes = model.NumClasses;
            TensorShape noise = model.NoiseShape(1);
            if (classes > 0)
            {
                noise = new TensorShape(1, noise[1] + classes, 1, 1);
            }

            TensorShape image = OnnxExporter.OutputShapeFor(model.Generator, noise);
            TensorShape input = generator ? noise : new TensorShape(1, image[1] + classes, image[2], image[3]);
            var names = generator ? new OnnxExportOptions { InputName = "z", OutputName = "image" } : new OnnxExportOptions { InputName = "image", OutputName = "logit" };
            OnnxExporter.Save(net, input.ToArray()[1..], outFile, names);
            TensorShape result = OnnxExporter.OutputShapeFor(net, input);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {network} ({o.Arch}) to {outFile} ({new FileInfo(outFile).Length / 1024.0:F0} KiB, ONNX opset {OnnxExporter.OpsetVersion}): input '{names.InputName}' {Symbolic(input)} -> output '{names.OutputName}' {Symbolic(result)}{(generator ? " in [-1, 1]" : " (a logit: apply a sigmoid for a probability)")}"));
            if (classes > 0)
            {
                Console.WriteLine(generator
                    ? $"Conditional: channels 0 to {noise[1] - classes - 1} of 'z' are the noise, the last {classes} the one-hot class label."
                    : $"Conditional: channels 0 to {image[1] - 1} of 'image' are the image, the last {classes} the one-hot class label repeated over every pixel.");
            }

            return 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Terminal.ErrorOutput.Failure(e, "export");
            return TrainRunner.ExitBadInput;
        }
    }

    private static string Symbolic(TensorShape shape) => $"[N, {string.Join(", ", shape.ToArray()[1..])}]";
}
