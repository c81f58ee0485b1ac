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
/// NCHW <c>[N, C, P]</c> → tiled channel-minor <c>[⌈C/W⌉][⌈N/nb⌉][P][nb][W]</c>: channels in tiles of W (the
/// weight-gradient kernel's 6 register rows, or its 64 columns), each tile's rows contiguous, so the kernel reads
/// W consecutive floats per row of K; channels past C are zero-filled, rows of samples past N left untouched.
/// Chunks are samples.
/// </summary>
internal sealed unsafe class ToChannelMinorJob : ChunkJob
{
    private readonly SimdWidth _width;
    private float* _src;
    private float* _dst;
    private int _c;
    private int _p;
    private int _nb;
    private int _tileWidth;
    private long _tileStride;

    /// <summary>Creates the job for one vector width.</summary>
    public ToChannelMinorJob(SimdWidth width) => _width = width;

    /// <summary>Floats of the tiled layout of <c>[N, C, P]</c>.</summary>
    public static long Length(int n, int c, int p, int nb, int tileWidth) =>
        (long)((c + tileWidth - 1) / tileWidth) * ((n + nb - 1) / nb) * nb * p * tileWidth;

    /// <summary>Transposes <paramref name="src"/> into <paramref name="dst"/>.</summary>
    public void Run(WorkerPool pool, float* src, float* dst, int n, int c, int p, int nb, int tileWidth)
    {
        _src = src;
        _dst = dst;
        _c = c;
        _p = p;
        _nb = nb;
        _tileWidth = tileWidth;
        _tileStride = (long)((n + nb - 1) / nb) * nb * p * tileWidth;
        pool.Run(this, n);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int chunk, int worker)
    {
        int block = chunk / _nb, row = chunk % _nb, w = _tileWidth;
        float* src = _src + ((long)chunk * _c * _p);
        nint pixelStride = (nint)_nb * w;
        int fullPixels = _p / 16 * 16;
        for (int c0 = 0; c0 < _c; c0 += w)
        {
            float* dst = _dst + ((c0 / w) * _tileStride) + ((((long)block * _p * _nb) + row) * w);
            int end = Math.Min(_c, c0 + w);
            int fullChannels = w % 16 == 0 ? c0 + ((end - c0) / 16 * 16) : c0;
            for (int c = c0; c < fullChannels; c += 16)
            {
                for (int q = 0; q < fullPixels; q += 16)
                {
                    SimdAt.Transpose16(_width, src + ((long)c * _p) + q, _p, dst + (q * pixelStride) + (c - c0), pixelStride);
                }
            }

            for (int q = 0; q < _p; q++)
            {
                float* d = dst + (q * pixelStride) - c0;
                float* s = src + q;
                for (int c = q < fullPixels ? fullChannels : c0; c < end; c++)
                {
                    d[c] = s[(long)c * _p];
                }

                for (int c = end; c < c0 + w; c++)
                {
                    d[c] = 0f;
                }
            }
        }
    }
}
