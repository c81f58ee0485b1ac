// --resume's one policy: every setting says where a resumed run takes it from, every train flag is such a setting,
// and the merge follows the table (model and data settings from the checkpoint, run settings from the command line).
namespace Dcgan.Tests.Training;

using System.CommandLine;
using System.Reflection;
using Dcgan.Samples.Commands;
using Dcgan.Samples.Data;
using Dcgan.Samples.Training;

public sealed class ResumePolicyTests
{
    [Fact]
    public void Every_setting_has_a_resume_rule_and_every_train_flag_is_a_setting()
    {
        PropertyInfo[] settable = typeof(TrainOptions).GetProperties()
            .Where(p => p.CanWrite && p.Name != nameof(TrainOptions.Given))
            .ToArray();
        string[] missing = settable.Where(p => p.GetCustomAttribute<ResumeAttribute>() is null).Select(p => p.Name).ToArray();
        Assert.True(missing.Length == 0, $"TrainOptions settings without a [Resume] rule: {string.Join(", ", missing)}");

        var flags = ResumePolicy.Settings.Select(s => "--" + s.Flag).ToHashSet();
        string[] unknown = TrainCommand.Create().Options
            .Where(o => o.Name is not "--cuda" and not "--help" && !o.Name.StartsWith("-?", StringComparison.Ordinal) && !o.Name.StartsWith("-h", StringComparison.Ordinal))
            .Where(o => !flags.Contains(o.Name))
            .Select(o => o.Name)
            .ToArray();
        Assert.True(unknown.Length == 0, $"train flags that are no TrainOptions setting (so resume has no rule for them): {string.Join(", ", unknown)}");
        Assert.Contains(ResumePolicy.Settings, s => s.Flag == "download" && s.From == ResumeFrom.CommandLine);
    }

    [Fact]
    public void Merge_takes_model_settings_from_the_checkpoint_and_run_settings_from_the_command_line()
    {
        var saved = new TrainOptions { Arch = Architectures.TfTutorial, Epochs = 9, BatchSize = 64, Seed = 5, Threads = 1, Device = "ilgpu-cpu", LogEvery = 7, Out = "/old", Data = "/data/a" };
        var requested = new TrainOptions
        {
            Arch = Architectures.Dcgan, BatchSize = 32, Seed = 11, Threads = 2, Device = "cpu", LogEvery = 3, Download = true,
            Given = new HashSet<string> { "arch", "batch-size", "threads", "log-every" },
        };
        TrainOptions merged = ResumePolicy.Merge(saved, requested, "/runs/x/checkpoint.safetensors", "/runs/x");
        Assert.Equal(Architectures.TfTutorial, merged.Arch);
        Assert.Equal(64, merged.BatchSize);
        Assert.Equal(5UL, merged.Seed);
        Assert.Equal(9, merged.Epochs); // not given: the checkpoint's run's
        Assert.Equal(2, merged.Threads);
        Assert.Equal("cpu", merged.Device);
        Assert.Equal(3, merged.LogEvery);
        Assert.True(merged.Download);
        Assert.Equal("/runs/x", merged.Out);
        Assert.Equal("/data/a", merged.Data);
        Assert.Equal("/runs/x/checkpoint.safetensors", merged.Resume);
        Assert.Equal(["--arch", "--batch-size"], ResumePolicy.Ignored(requested));
        Assert.Equal(Architectures.TfTutorial, saved.Arch);
        Assert.Equal(1, saved.Threads); // the checkpoint's options are not changed
    }

    [Fact]
    public void Background_is_part_of_the_data_taken_from_the_checkpoint_and_none_for_a_config_without_it()
    {
        var saved = new TrainOptions { Dataset = DataDefaults.Folder, Background = "white", Channels = 1, Data = "/icons" };
        var requested = new TrainOptions { Background = "#102030", Given = new HashSet<string> { "background", "epochs" } };
        TrainOptions merged = ResumePolicy.Merge(saved, requested, "/runs/x/checkpoint.safetensors", "/runs/x");
        Assert.Equal("white", merged.Background);
        Assert.Equal(ImageBackground.White, merged.ResolvedBackground);
        Assert.Equal(["--background"], ResumePolicy.Ignored(requested));
        Assert.Contains(ResumePolicy.Settings, s => s.Flag == "background" && s.From == ResumeFrom.Checkpoint);

        // Written to config.json, and a config from before --background existed reads as none (what such runs did).
        Assert.Contains("\"background\": \"white\"", saved.ToJson(), StringComparison.Ordinal);
        Assert.Equal("white", TrainOptions.FromJson(saved.ToJson()).Background);
        TrainOptions old = TrainOptions.FromJson("{ \"dataset\": \"folder\", \"channels\": 3 }");
        Assert.Equal("none", old.Background);
        Assert.Null(old.ResolvedBackground);
    }
}
