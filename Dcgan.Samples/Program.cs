// Entry point of the dcgan command-line program: train, generate, eval, export, devices, bench, classifier.
namespace Dcgan.Samples;

using System.CommandLine;
using Dcgan.Samples.Commands;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("dcgan: train, sample, measure and export DCGANs (MNIST, Fashion-MNIST, image folders, CIFAR-10) with Dcgan, a pure C# neural-network library.")
        {
            TrainCommand.Create(),
            GenerateCommand.Create(),
            EvalCommand.Create(),
            ExportCommand.Create(),
            ClassifierCommand.Create(),
            Devices.CreateCommand(),
            BenchCommand.Create(),
        };
        if (args.Length == 0)
        {
            // `dcgan` alone: the help, not "Required command was not provided".
            return root.Parse(["--help"]).Invoke();
        }

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line per problem and the usual exit code for bad input, instead of the whole help text.
            IReadOnlyList<string> lines = Terminal.UsageErrors.Lines(parsed);
            for (int i = 0; i < lines.Count - 1; i++)
            {
                Terminal.ErrorOutput.Error(lines[i]);
            }

            Console.Error.WriteLine(lines[^1]);
            return Commands.TrainRunner.ExitBadInput;
        }

        return parsed.Invoke();
    }
}
