// One rule for --resume, read from the settings themselves: the model, data and optimizer settings come from the
// checkpoint; how this run runs (threads, device, logging, where to write) comes from the command line.
namespace Dcgan.Samples.Training;

using System.Reflection;
using System.Text.Json;

/// <summary>Where <c>--resume</c> takes a setting from.</summary>
public enum ResumeFrom
{
    /// <summary>The checkpoint's value; a value given on the command line is ignored with a warning.</summary>
    Checkpoint,

    /// <summary>The command line's value (or its default).</summary>
    CommandLine,

    /// <summary>The command line's value when given, else the checkpoint's.</summary>
    CommandLineIfGiven,

    /// <summary>Not a flag: the runner records it (the data used, the device's name).</summary>
    Recorded,
}

/// <summary>Marks a <see cref="TrainOptions"/> setting with its <see cref="ResumeFrom"/>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ResumeAttribute(ResumeFrom from) : Attribute
{
    public ResumeFrom From { get; } = from;
}

/// <summary>Merges the settings of a checkpoint with those of the command line, by each setting's <see cref="ResumeAttribute"/>.</summary>
public static class ResumePolicy
{
    /// <summary>Every setting with its kebab-case flag name and its rule, in declaration order.</summary>
    public static IReadOnlyList<(PropertyInfo Property, string Flag, ResumeFrom From)> Settings { get; } =
        typeof(TrainOptions).GetProperties()
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<ResumeAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Property, JsonNamingPolicy.KebabCaseLower.ConvertName(x.Property.Name), x.Attribute!.From))
            .ToArray();

    /// <summary>The flags given on the command line that the checkpoint overrides (for one warning line).</summary>
    public static IReadOnlyList<string> Ignored(TrainOptions requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        return requested.Given is null
            ? []
            : Settings.Where(s => s.From == ResumeFrom.Checkpoint && requested.Given.Contains(s.Flag)).Select(s => "--" + s.Flag).ToArray();
    }

    /// <summary>
    /// The settings of a resumed run: <paramref name="saved"/> (the checkpoint's) with every command-line setting taken from
    /// <paramref name="requested"/>; the output folder defaults to <paramref name="checkpointFolder"/>.
    /// </summary>
    public static TrainOptions Merge(TrainOptions saved, TrainOptions requested, string checkpoint, string checkpointFolder)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(requested);
        // A record's `with` needs names at compile time; reflection applies the attribute table instead. Clone first so
        // the saved options are not changed.
        TrainOptions merged = saved with { };
        foreach ((PropertyInfo property, string flag, ResumeFrom from) in Settings)
        {
            bool take = from == ResumeFrom.CommandLine || (from == ResumeFrom.CommandLineIfGiven && requested.IsGiven(flag));
            if (take)
            {
                property.SetValue(merged, property.GetValue(requested));
            }
        }

        return merged with
        {
            Out = requested.IsGiven("out") && requested.Out is not null ? requested.Out : checkpointFolder,
            Data = requested.Data ?? saved.Data,
            Given = requested.Given,
            Resume = checkpoint,
        };
    }
}
