// Layout changes between the NCHW tensors modules see and the blocked layouts the convolution kernels read:
// batch-minor [n/64][pixel][channel][64] (the batch is the vector dimension) and channel-minor
// [n/NB][pixel][NB][channel'] (channels are the vector dimension). Both are plain transposes, O(size).
namespace Dcgan.Backends.Cpu;

/// <summary>
/// NCHW <c>[N, C, P]</c> → batch-minor <c>[⌈N/64⌉][P][C][64]</c>, samples past N zero-filled.
/// Chunks are (64-sample tile, channel).
/// </summary>
internal sealed unsafe class ToBatchMinorJob : ChunkJob
{
    private float* _src;
    private float* _dst;
    private int _n;
    private int _c;
    private int _p;

    /// <summary>Transposes <paramref name="src"/> into <paramref name="dst"/> (⌈n/64⌉·p·c·64 floats).</summary>
    public void Run(WorkerPool pool, float* src, float* dst, int n, int c, int p)
    {
        _src = src;
        _dst = dst;
        _n = n;
        _c = c;
        _p = p;
        pool.Run(this, ((n + 63) / 64) * c);
    }

    /// <inheritdoc/>
    public override void Execute(int chunk, int worker)
    {
        int nt = chunk / _c, ch = chunk % _c;
        int n0 = nt * 64, valid = Math.Min(64, _n - n0);
        long pixelStride = (long)_c * 64;
        float* dst = _dst + ((((long)nt * _p * _c) + ch) * 64);
        for (int j = 0; j < valid; j++)
        {
            float* src = _src + ((((long)(n0 + j) * _c) + ch) * _p);
            float* d = dst + j;
            for (int q = 0; q < _p; q++)
            {
                d[q * pixelStride] = src[q];
            }
        }

        if (valid < 64)
        {
            for (int q = 0; q < _p; q++)
            {
                new Span<float>(dst + (q * pixelStride) + valid, 64 - valid).Clear();
            }
        }
    }
}

/// <summary>
/// NCHW <c>[N, C, P]</c> → channel-minor <c>[⌈N/nb⌉][P][nb][cp]</c> with cp ≥ C (channels past C zero-filled;
/// rows of samples past N are left untouched). Chunks are samples.
/// </summary>
internal sealed unsafe class ToChannelMinorJob : ChunkJob
{
    private float* _src;
    private float* _dst;
    private int _c;
    private int _p;
    private int _nb;
    private int _cp;

    /// <summary>Transposes <paramref name="src"/> into <paramref name="dst"/>.</summary>
    public void Run(WorkerPool pool, float* src, float* dst, int n, int c, int p, int nb, int cp)
    {
        _src = src;
        _dst = dst;
        _c = c;
        _p = p;
        _nb = nb;
        _cp = cp;
        pool.Run(this, n);
    }

    /// <inheritdoc/>
    public override void Execute(int chunk, int worker)
    {
        int block = chunk / _nb, row = chunk % _nb;
        float* src = _src + ((long)chunk * _c * _p);
        long rowStride = (long)_nb * _cp;
        float* dst = _dst + ((((long)block * _p * _nb) + row) * _cp);
        for (int q = 0; q < _p; q++)
        {
            float* d = dst + (q * rowStride);
            float* s = src + q;
            for (int ch = 0; ch < _c; ch++)
            {
                d[ch] = s[ch * _p];
            }

            for (int ch = _c; ch < _cp; ch++)
            {
                d[ch] = 0f;
            }
        }
    }
}
