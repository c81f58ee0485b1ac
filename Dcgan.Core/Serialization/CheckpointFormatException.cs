// The one error every checkpoint reader throws for a damaged or hostile file, so callers (the CLI's generate,
// resume, and later eval/export) catch one type and print one line naming the file and the problem.
namespace Dcgan.Serialization;

/// <summary>
/// Thrown when a safetensors file or checkpoint cannot be used: it is not a safetensors file, it is truncated or
/// has bytes appended, its header is not valid JSON or has fields of the wrong JSON type, a tensor's dtype, shape
/// or byte range is invalid (negative or overflowing dimensions, offsets outside the data, overlapping or unsorted
/// ranges, element count × element size ≠ byte length), or a tensor or metadata value the network needs is
/// missing or does not fit it. The message is one line: the file's path (when known), a colon, and the problem,
/// with no .NET type names. It is an <see cref="IOException"/> (the file's content, not the caller, is at fault), so
/// code that catches I/O errors around a load keeps catching it.
/// </summary>
public sealed class CheckpointFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file that was read; null when the bytes came from memory.</param>
    /// <param name="problem">What is wrong, as a sentence (for example "tensor 'G.main.0.weight' has dtype F16; expected F32.").</param>
    /// <param name="innerException">The underlying error, if any; its message is not part of <see cref="Exception.Message"/>.</param>
    public CheckpointFormatException(string? path, string problem, Exception? innerException = null)
        : base(path is null ? problem : $"{path}: {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that was read; null when the bytes came from memory.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong with the file, without its path.</summary>
    public string Problem { get; }
}
