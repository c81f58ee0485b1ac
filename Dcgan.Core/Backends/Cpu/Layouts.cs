// Layout changes between the NCHW tensors modules see and the blocked layouts the convolution kernels read:
// batch-minor [n/64][pixel][channel][64] (the batch is the vector dimension) and channel-minor
// [n/NB][pixel][NB][channel'] (channels are the vector dimension). Plain transposes, 16×16 blocks in registers.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;

/// <summary>
/// NCHW <c>[N, C, P]</c> ↔ batch-minor <c>[⌈N/64⌉][P][C][64]</c>. Forward fills samples past N with zeros; the
/// inverse writes only the N real samples. Chunks are (64-sample tile, channel).
/// </summary>
internal sealed unsafe class BatchMinorJob : ChunkJob
{
    private readonly SimdWidth _width;
    private float* _nchw;
    private float* _blocked;
    private int _n;
    private int _c;
    private int _p;
    private bool _inverse;

    /// <summary>Creates the job for one vector width.</summary>
    public BatchMinorJob(SimdWidth width) => _width = width;

    /// <summary>NCHW → batch-minor (⌈n/64⌉·p·c·64 floats).</summary>
    public void ToBlocked(WorkerPool pool, float* nchw, float* blocked, int n, int c, int p) => Start(pool, nchw, blocked, n, c, p, false);

    /// <summary>Batch-minor → NCHW.</summary>
    public void FromBlocked(WorkerPool pool, float* blocked, float* nchw, int n, int c, int p) => Start(pool, nchw, blocked, n, c, p, true);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        int nt = chunk / _c, ch = chunk % _c;
        int n0 = nt * 64, valid = Math.Min(64, _n - n0);
        nint pixelStride = (nint)_c * 64, sampleStride = (nint)_c * _p;
        float* blocked = _blocked + ((((long)nt * _p * _c) + ch) * 64);
        float* nchw = _nchw + ((((long)n0 * _c) + ch) * _p);
        int fullGroups = valid / 16, fullPixels = _p / 16 * 16;
        for (int jg = 0; jg < fullGroups; jg++)
        {
            for (int q = 0; q < fullPixels; q += 16)
            {
                float* rows = nchw + (jg * 16 * sampleStride) + q;
                float* cols = blocked + (q * pixelStride) + (jg * 16);
                if (_inverse)
                {
                    SimdAt.Transpose16(_width, cols, pixelStride, rows, sampleStride);
                }
                else
                {
                    SimdAt.Transpose16(_width, rows, sampleStride, cols, pixelStride);
                }
            }
        }

        // What the 16×16 blocks left: the pixel tail of full sample groups, then every pixel of the last samples.
        for (int j = 0; j < 64; j++)
        {
            int from = j < fullGroups * 16 ? fullPixels : 0;
            float* row = nchw + (j * sampleStride);
            float* col = blocked + j;
            if (j >= valid)
            {
                if (!_inverse)
                {
                    for (int q = 0; q < _p; q++)
                    {
                        col[q * pixelStride] = 0f;
                    }
                }

                continue;
            }

            for (int q = from; q < _p; q++)
            {
                if (_inverse)
                {
                    row[q] = col[q * pixelStride];
                }
                else
                {
                    col[q * pixelStride] = row[q];
                }
            }
        }
    }

    private void Start(WorkerPool pool, float* nchw, float* blocked, int n, int c, int p, bool inverse)
    {
        _nchw = nchw;
        _blocked = blocked;
        _n = n;
        _c = c;
        _p = p;
        _inverse = inverse;
        pool.Run(this, ((n + 63) / 64) * c);
    }
}

/// <summary>
/// NCHW <c>[N, C, P]</c> → channel-minor <c>[⌈N/nb⌉][P][nb][cp]</c> with cp ≥ C a multiple of 16 (channels past C
/// zero-filled; rows of samples past N are left untouched). Chunks are samples.
/// </summary>
internal sealed unsafe class ToChannelMinorJob : ChunkJob
{
    private readonly SimdWidth _width;
    private float* _src;
    private float* _dst;
    private int _c;
    private int _p;
    private int _nb;
    private int _cp;

    /// <summary>Creates the job for one vector width.</summary>
    public ToChannelMinorJob(SimdWidth width) => _width = width;

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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        int block = chunk / _nb, row = chunk % _nb;
        float* src = _src + ((long)chunk * _c * _p);
        nint rowStride = (nint)_nb * _cp;
        float* dst = _dst + ((((long)block * _p * _nb) + row) * _cp);
        int fullChannels = _c / 16 * 16, fullPixels = _p / 16 * 16;
        for (int c = 0; c < fullChannels; c += 16)
        {
            for (int q = 0; q < fullPixels; q += 16)
            {
                SimdAt.Transpose16(_width, src + (c * _p) + q, _p, dst + (q * rowStride) + c, rowStride);
            }
        }

        for (int q = 0; q < _p; q++)
        {
            float* d = dst + (q * rowStride);
            float* s = src + q;
            for (int c = q < fullPixels ? fullChannels : 0; c < _c; c++)
            {
                d[c] = s[c * _p];
            }

            for (int c = _c; c < _cp; c++)
            {
                d[c] = 0f;
            }
        }
    }
}
