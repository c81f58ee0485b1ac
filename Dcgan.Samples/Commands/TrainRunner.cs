// Runs `dcgan train`: validates settings, resolves data and device, writes config.json, trains, and turns
// errors into one line on stderr with a non-zero exit code (2 bad input, 3 diverged, 130 interrupted by Ctrl+C,
// 143 stopped by SIGTERM: what `timeout`, `docker stop` and systemd send, handled as Ctrl+C is).
namespace Dcgan.Samples.Commands;

using System.Globalization;
using System.Runtime.InteropServices;
using Dcgan.Backends;
using Dcgan.Gpu;
using Dcgan.Samples.Output;
using Dcgan.Samples.Quality;
using Dcgan.Samples.Terminal;
using Dcgan.Samples.Training;
using Dcgan.Serialization;

public static class TrainRunner
{
    public const int ExitBadInput = 2;
    public const int ExitDiverged = 3;
    public const int ExitInterrupted = 130;
    public const int ExitTerminated = 143;

    public static int Run(TrainOptions requested)
    {
        IReadOnlyList<string> ignored = ResumePolicy.Ignored(requested);
        if (requested.Resume is not null && ignored.Count > 0)
        {
            ErrorOutput.Warning($"--resume: {string.Join(", ", ignored)} ignored; the model, data and optimizer settings come from the checkpoint.");
        }

        using ITrainingReporter reporter = ReporterFactory.Create(new ReporterOptions { TotalEpochs = EpochsToShow(requested), PlainEvery = requested.LogEvery });
        return Run(requested, reporter, new RunArtifacts(m => ErrorOutput.Warning(m)), installCancelHandler: true, out _);
    }

    /// <summary>Runs training; the out parameter gives the output folder (null when nothing was started).</summary>
    public static int Run(TrainOptions requested, ITrainingReporter reporter, IRunObserver? observer, bool installCancelHandler, out string? outDir, Func<bool>? stop = null)
    {
        outDir = null;
        var stopRequested = false;
        var terminated = false;
        ConsoleCancelEventHandler? handler = null;
        PosixSignalRegistration? sigterm = null;
        try
        {
            // On --resume the data and model settings come from the checkpoint: the merged options are checked instead, so
            // that a folder checkpoint's "--channels 3" is not judged against the default dataset's grey images.
            if (requested.Resume is null)
            {
                requested.Validate();
            }

            TrainOptions o = requested.Resume is { } resume ? ForResume(requested, resume) : requested;
            o.Validate();
            if (o.Out is { } requestedOut)
            {
                OutputFolder.CheckCanHold(requestedOut, "--out");
                CheckRunFolder(requested, o, requestedOut);
            }

            if (o.Threads > Environment.ProcessorCount)
            {
                ErrorOutput.Warning($"--threads {o.Threads} is more than this machine's {Environment.ProcessorCount} cores; the results are the same, but the extra threads only take turns.");
            }

            using IBackend backend = Devices.Create(o.Device, o.Threads);
            TrainingImages data = DataSources.Load(o, reporter.Message, previous: o.Resume is null ? null : o.DataUsed);
            // config.json and checkpoints record the image size and channels trained on, so that --resume and generate rebuild the same networks.
            o = o with { DataUsed = CheckData(o, DataRecord.Of(data, o.Limit)), ImageSize = data.Height, Channels = data.Channels };
            string folder = o.Out ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            outDir = folder;
            o = o with
            {
                // config.json records what ran, not what was left to defaults.
                Out = Path.GetFullPath(folder),
                Data = o.Data is null ? null : Path.GetFullPath(o.Data),
                Threads = backend is Dcgan.Backends.Cpu.CpuBackend cpu ? cpu.Threads : (o.Threads == 0 ? Environment.ProcessorCount : o.Threads),
                DeviceName = backend switch
                {
                    Dcgan.Backends.Cpu.CpuBackend c => c.Description,
                    GpuBackend g => $"{g.Name}: {g.DeviceName}",
                    _ => backend.Name,
                },
            };

            // Sample quality wraps the run's observer; config.json and checkpoints record the --eval-every that ran (0: off).
            using QualityTracker? quality = QualityTracker.Create(o, data, backend, observer, reporter.Message);
            o = o with { EvalEvery = quality?.Every ?? 0 };

            // The trainer checks the settings against the data first: a run that cannot start creates no folder.
            using var trainer = new Trainer(o, data, backend, reporter, (IRunObserver?)quality ?? observer, outDir);
            OutputFolder.Create(outDir, "--out");
            if (o.Resume is { } checkpoint)
            {
                trainer.LoadCheckpoint(checkpoint);
                string csv = Path.Combine(outDir, "losses.csv");
                if (File.Exists(csv))
                {
                    // Drop rows written after the checkpoint (a crash between epochs), keep the rest for the plot.
                    LossCsv.Append(csv, trainer.StepInEpoch > 0 ? trainer.EpochsDone + 1 : trainer.EpochsDone).Dispose();
                    trainer.SeedRows(LossCsv.Read(csv));
                }

                // quality.csv has rows of finished epochs only.
                QualityCsv.KeepThrough(Path.Combine(outDir, QualityCsv.FileName), trainer.EpochsDone);

                reporter.Message(trainer.StepInEpoch > 0
                    ? $"Resumed from {checkpoint} in epoch {trainer.EpochsDone + 1} after step {trainer.StepInEpoch}."
                    : $"Resumed from {checkpoint} after epoch {trainer.EpochsDone}.");
                if (trainer.EpochsDone >= o.Epochs)
                {
                    reporter.Message($"Nothing to train: the checkpoint has {trainer.EpochsDone} epochs and --epochs is {o.Epochs}; raise --epochs to continue.");
                    return 0;
                }
            }

            AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), o.Resolve().ToJson());
            reporter.Message($"Training {o.Arch} on {trainer.ImageCount.ToString("N0", CultureInfo.InvariantCulture)} images ({data.Source}), batch {o.ResolvedBatchSize}, {(o.DryRun ? "1 step per epoch (--dry-run)" : $"{trainer.StepsPerEpoch} steps per epoch")}, device {backend.Name}; writing to {outDir}");
            if (installCancelHandler)
            {
                // `timeout`, systemd and `dotnet run` can deliver one stop request twice within milliseconds (to the process
                // group, and forwarded by the parent): a repeat within a second is the same request, not "abort now".
                long firstSignal = 0;
                bool Repeat()
                {
                    long now = Environment.TickCount64;
                    return firstSignal != 0 && now - firstSignal < 1000;
                }

                handler = (_, e) =>
                {
                    if (!stopRequested)
                    {
                        e.Cancel = true;
                        stopRequested = true;
                        firstSignal = Environment.TickCount64;
                        Console.Error.WriteLine("dcgan: stopping after this step and saving a checkpoint (Ctrl+C again to abort)...");
                    }
                    else if (Repeat())
                    {
                        e.Cancel = true;
                    }
                };
                Console.CancelKeyPress += handler;
                try
                {
                    sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
                    {
                        if (!stopRequested)
                        {
                            context.Cancel = true;
                            stopRequested = true;
                            terminated = true;
                            firstSignal = Environment.TickCount64;
                            Console.Error.WriteLine("dcgan: SIGTERM: stopping after this step and saving a checkpoint (send it again to abort)...");
                        }
                        else if (Repeat())
                        {
                            context.Cancel = true;
                        }
                    });
                }
                catch (PlatformNotSupportedException)
                {
                    // No SIGTERM here: Ctrl+C still stops cleanly.
                }
            }

            TrainOutcome outcome = trainer.Run(() => stopRequested || (stop?.Invoke() ?? false));
            if (outcome == TrainOutcome.Completed)
            {
                reporter.Message($"Done: {Path.Combine(outDir, Trainer.CheckpointFile)}, {Path.Combine(outDir, "progress.gif")}");
            }

            return outcome == TrainOutcome.Interrupted ? (terminated ? ExitTerminated : ExitInterrupted) : 0;
        }
        catch (TrainingDivergedException e)
        {
            ErrorOutput.Error(ErrorOutput.MessageOf(e));
            return ExitDiverged;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or CudaUnavailableException)
        {
            ErrorOutput.Failure(e, "train");
            return ExitBadInput;
        }
        finally
        {
            if (handler is not null)
            {
                Console.CancelKeyPress -= handler;
            }

            sigterm?.Dispose();
        }
    }

    /// <summary>
    /// The record of the data found now. On --resume it must be the checkpoint's images (same count and fingerprint)
    /// unless --allow-data-change; a checkpoint from before data records were kept gets a warning.
    /// </summary>

    // The files of a run: their presence means a folder holds one; --force removes them (with the epoch grids).
    private static readonly string[] RunFiles = ["config.json", "checkpoint.safetensors", "losses.csv", "losses.png", "quality.csv", "quality.png", "progress.gif"];

    // A new run must not mix with another in the same folder (losses.csv would gain a second run's rows, old grids would
    // stay), and a --dry-run must not write its one step into the run it resumes.
    private static void CheckRunFolder(TrainOptions requested, TrainOptions o, string outDir)
    {
        string full = Path.GetFullPath(outDir);
        if (requested.Resume is { } resume && string.Equals(full, Path.GetDirectoryName(Path.GetFullPath(resume)), StringComparison.Ordinal))
        {
            if (o.DryRun)
            {
                throw new ArgumentException($"--dry-run with --resume would write its one step into the run being resumed ({full}); give --out a new folder for the trial.");
            }

            return;
        }

        string[] found = [.. RunFiles.Take(3).Where(f => File.Exists(Path.Combine(full, f)))];
        if (found.Length == 0)
        {
            return;
        }

        if (!o.Force)
        {
            string hint = found.Contains("checkpoint.safetensors") ? $"continue it with --resume {Path.Combine(outDir, "checkpoint.safetensors")}, " : string.Empty;
            throw new ArgumentException($"--out {outDir} already holds a run ({string.Join(", ", found)}); {hint}choose another --out, or pass --force to remove that run's files and start again there.");
        }

        foreach (string file in RunFiles.Select(f => Path.Combine(full, f)).Concat(Directory.EnumerateFiles(full, "epoch_*.png")))
        {
            File.Delete(file);
        }
    }
    private static DataRecord CheckData(TrainOptions o, DataRecord now)
    {
        if (o.Resume is not { } checkpoint)
        {
            return now;
        }

        if (o.DataUsed is not { } before)
        {
            ErrorOutput.Warning($"--resume: {checkpoint} does not record its training data (an older dcgan wrote it); cannot check that {now.Describe()} is the same.");
            return now;
        }

        if (!before.SameImages(now))
        {
            string message = $"{checkpoint} was trained on {before.Describe()}, but the data found now is {now.Describe()}";
            if (!o.AllowDataChange)
            {
                throw new ArgumentException($"--resume: {message}; point --data at the original images, or pass --allow-data-change to continue on these.");
            }

            ErrorOutput.Warning($"--allow-data-change: {message}; continuing on the new data.");
        }

        return now;
    }

    /// <summary>The run's --epochs for the progress display: on a resume without --epochs, the checkpoint's.</summary>
    private static int EpochsToShow(TrainOptions requested)
    {
        if (requested.Resume is not { } checkpoint || requested.IsGiven("epochs"))
        {
            return requested.Epochs;
        }

        try
        {
            return ReadConfig(checkpoint).Epochs;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            return requested.Epochs; // the run itself reports the damage in one line
        }
    }

    /// <summary>Settings for --resume: model and data settings from the checkpoint, run settings from the command line.</summary>
    public static TrainOptions ForResume(TrainOptions requested, string checkpoint)
    {
        if (!File.Exists(checkpoint))
        {
            throw new ArgumentException($"--resume: checkpoint {checkpoint} does not exist.");
        }

        TrainOptions saved = ReadConfig(checkpoint);
        return ResumePolicy.Merge(saved, requested, checkpoint, Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
    }

    /// <summary>The settings a checkpoint was trained with.</summary>
    public static TrainOptions ReadConfig(string checkpoint) => CheckpointReader.ReadConfig(checkpoint);
}
