// Entry point of the dcgan command-line program: train, generate, eval, devices, bench, classifier.
namespace Dcgan.Samples;

using System.CommandLine;
using Dcgan.Samples.Commands;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("dcgan: train and sample DCGANs on MNIST with Dcgan, a pure C# neural-network library.")
        {
            TrainCommand.Create(),
            GenerateCommand.Create(),
            Devices.CreateCommand(),
            BenchCommand.Create(),
            EvalCommand.Create(),
            ClassifierCommand.Create(),
        };
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line per problem and the usual exit code for bad input, instead of the whole help text.
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors)
            {
                Terminal.ErrorOutput.Error(error.Message.Replace("System.Nullable`1[System.Double]", "a number", StringComparison.Ordinal)
                    .Replace("System.Nullable`1[System.Int32]", "an integer", StringComparison.Ordinal)
                    .Replace("System.Nullable`1[System.Single]", "a number", StringComparison.Ordinal));
            }

            Console.Error.WriteLine("See 'dcgan --help' or 'dcgan <command> --help'.");
            return Commands.TrainRunner.ExitBadInput;
        }

        return parsed.Invoke();
    }
}
